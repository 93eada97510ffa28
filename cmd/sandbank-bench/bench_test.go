package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	five := []time.Duration{10, 20, 30, 40, 50}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single", []time.Duration{7}, 99, 7},
		{"p50 of 1..100", hundred, 50, 50},
		{"p99 of 1..100", hundred, 99, 99},
		{"p99.9 of 1..100", hundred, 99.9, 100},
		{"max", hundred, 100, 100},
		{"tiny p is the minimum", hundred, 0.001, 1},
		{"median of five", five, 50, 30},
		{"p99 of five is the max", five, 99, 50},
		{"p20 of five", five, 20, 10},
		{"p21 of five", five, 21, 20},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(p=%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tsandbank\nVmPeak:\t  900 kB\nVmRSS:\t   23456 kB\nThreads:\t7\n"
	got, err := parseVmRSS(strings.NewReader(status))
	if err != nil || got != 23456*1024 {
		t.Fatalf("parseVmRSS = %d, %v; want %d", got, err, 23456*1024)
	}
	if _, err := parseVmRSS(strings.NewReader("Name:\tx\n")); err == nil {
		t.Fatal("want an error without a VmRSS line")
	}
}
