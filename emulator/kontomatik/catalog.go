package kontomatik

import (
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// The catalogue of the tenant's world: its banks, with what Kontomatik's
// catalogue says of each target (fixtures/kontomatik_targets.yaml).

// accessModes are the modes a target allows: Multiple Access needs a PSD2
// target (notes §4).
func accessModes(info targetInfo) []string {
	if info.psd2 {
		return []string{"SINGLE", "MULTIPLE", "MIXED"}
	}
	return []string{"SINGLE"}
}

type specCatalogTarget struct {
	ID          string   `json:"id"`
	Country     string   `json:"country"`
	Name        string   `json:"name"`
	AccessModes []string `json:"accessModes"`
}

type specCatalogJSON struct {
	Targets []specCatalogTarget `json:"targets"`
}

// specCatalog serves the given document's GET /ais-catalog.
func (p *Provider) specCatalog(w http.ResponseWriter, r *http.Request) error {
	banks, err := p.store.Banks(r.Context(), httpapi.TenantFrom(r.Context()))
	if err != nil {
		return err
	}
	out := specCatalogJSON{Targets: []specCatalogTarget{}}
	for _, b := range banks {
		out.Targets = append(out.Targets, specCatalogTarget{ID: b.ID, Country: b.Country, Name: b.Name, AccessModes: accessModes(infoOf(b))})
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// liveCatalog serves GET /catalog.xml, all countries or one.
func (p *Provider) liveCatalog(w http.ResponseWriter, r *http.Request) error {
	banks, err := p.store.Banks(r.Context(), httpapi.TenantFrom(r.Context()))
	if err != nil {
		return err
	}
	country := r.URL.Query().Get("country")
	rep := p.reply(r, http.StatusOK)
	rep.Targets = &targetsXML{}
	for _, b := range banks {
		if country != "" && !strings.EqualFold(country, "all") && !strings.EqualFold(country, b.Country) {
			continue
		}
		info := infoOf(b)
		t := targetXML{Country: b.Country, Name: b.ID, Institution: info.institution, OfficialName: b.Name, OfficialURL: info.officialURL,
			LoginName: info.loginName, Beta: info.beta, PSD2: info.psd2}
		for _, a := range info.accountTypes {
			t.SupportedAccountTypes.Type = append(t.SupportedAccountTypes.Type, namedXML{Name: a})
		}
		t.Commands.Command = []namedXML{{Name: DefaultImport}}
		rep.Targets.Target = append(rep.Targets.Target, t)
	}
	return p.writeReply(w, rep)
}

type healthJSON struct {
	Status string `json:"status"`
}

// health serves the given document's GET /health (no key needed: its
// security is empty). The real API has none (notes §9).
func (p *Provider) health(w http.ResponseWriter, r *http.Request) error {
	return httpapi.JSON(w, http.StatusOK, healthJSON{Status: "ok"})
}

func institution(b emulator.Bank) string { return infoOf(b).institution }
