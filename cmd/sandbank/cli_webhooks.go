package main

import (
	"fmt"
	"io"

	"github.com/sandbank/sandbank/emulator/client"
)

// webhooks lists a tenant's webhook deliveries, shows one with every
// attempt, or resends one (a new delivery, sent before the answer).
func (c *cli) webhooks(args []string) error {
	var status, subject string
	fs := c.flags()
	fs.StringVar(&status, "status", "", "only deliveries in this status: pending, delivered or failed")
	fs.StringVar(&subject, "subject", "", "only deliveries about this link, consent or job id")
	pos, err := c.parse(fs, args, 1, "list", map[string][]string{"list": {"status", "subject"}})
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return c.usage("name a tenant")
	}
	key := client.ResolveTenant(pos[0])
	if pos[1] == "list" {
		if err := c.args(pos, 2, "list takes no arguments"); err != nil {
			return err
		}
		ds, err := c.api.Webhooks(c.ctx, key, status, subject)
		if err != nil {
			return c.failed(err)
		}
		return c.show(ds, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tCREATED\tTYPE\tSUBJECT\tSTATUS\tATTEMPTS\tURL")
			for _, d := range ds {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", d.ID, stamp(d.CreatedAt), d.Type, dash(d.Subject), d.Status, len(d.Attempts), d.URL)
			}
		})
	}
	if err := c.args(pos, 3, pos[1]+" takes a delivery id"); err != nil {
		return err
	}
	var d client.WebhookDelivery
	switch pos[1] {
	case "show":
		d, err = c.api.Webhook(c.ctx, key, pos[2])
	case "resend":
		d, err = c.api.ResendWebhook(c.ctx, key, pos[2])
	default:
		return c.usage("unknown action %q", pos[1])
	}
	if err != nil {
		return c.failed(err)
	}
	return c.show(d, func(w io.Writer) {
		fmt.Fprintf(w, "id\t%s\ntype\t%s\nsubject\t%s\nurl\t%s\nstatus\t%s\ncreated\t%s\nbody\t%s\n", d.ID, d.Type, dash(d.Subject), d.URL, d.Status, stamp(d.CreatedAt), d.Body)
		if d.ResentFrom != "" {
			fmt.Fprintf(w, "resent from\t%s\n", d.ResentFrom)
		}
		for _, a := range d.Attempts {
			answer := fmt.Sprint(a.Status)
			if a.Status == 0 {
				answer = "no answer"
			}
			if a.Error != "" {
				answer += " (" + a.Error + ")"
			}
			fmt.Fprintf(w, "attempt %d\t%s  %s  kid %s\n", a.N, stamp(a.At), answer, dash(a.KID))
		}
	})
}
