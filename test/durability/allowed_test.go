package durability

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

// TestAllowed pins the rule the crash and hot-key checks judge reads by.
func TestAllowed(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	a, b, c := content{origin: "k#1"}, content{origin: "k#2"}, content{origin: "k#3"}
	base := content{origin: "k#0"}
	done := func(v content, start, end int) *write {
		return &write{val: v, start: at(start), end: at(end), acked: true}
	}
	cut := func(v content, start, end int) *write {
		return &write{val: v, start: at(start), end: at(end), err: errors.New("EOF")}
	}
	refused := &write{val: c, start: at(1), end: at(2),
		err: &smithy.GenericAPIError{Code: "InternalError"}}
	tests := []struct {
		name   string
		ws     []*write
		cutoff time.Time
		want   []content
	}{
		{name: "no writes", want: []content{base}},
		{name: "one acknowledged", ws: []*write{done(a, 1, 2)}, want: []content{a}},
		{name: "sequential", ws: []*write{done(a, 1, 2), done(b, 3, 4)}, want: []content{b}},
		{name: "overlapping", ws: []*write{done(a, 1, 3), done(b, 2, 4)},
			want: []content{a, b}},
		{name: "delete last", ws: []*write{done(a, 1, 2), done(absent, 3, 4)},
			want: []content{absent}},
		{name: "cut off after an acknowledged one",
			ws: []*write{done(a, 1, 2), cut(b, 3, 9)}, want: []content{a, b}},
		{name: "cut off before an acknowledged one",
			ws: []*write{cut(b, 1, 9), done(a, 2, 3)}, want: []content{b, a}},
		{name: "only cut off", ws: []*write{cut(a, 1, 9)}, want: []content{base, a}},
		{name: "sent after the crash", ws: []*write{cut(a, 8, 9)}, cutoff: at(5),
			want: []content{base}},
		{name: "refused", ws: []*write{done(a, 1, 2), refused}, want: []content{a}},
		{name: "three in a row", ws: []*write{done(a, 1, 2), done(b, 3, 4), done(c, 5, 6)},
			want: []content{c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allowed(base, tt.ws, tt.cutoff)
			if !slices.Equal(got, tt.want) {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}
