package selector

import (
	"fmt"
	"strings"
)

// Order says how Select ranks artifacts. The zero Order is BySemver.
type Order int

const (
	// BySemver ranks by SemVer 2.0.0 precedence, highest first.
	BySemver Order = iota
	// ByModified ranks by LastModified, most recent first.
	ByModified
	// ByName ranks by version text in byte order, greatest first.
	ByName
)

var orderNames = [...]string{BySemver: "semver", ByModified: "modified", ByName: "name"}

// String returns the name ParseOrder accepts for o.
func (o Order) String() string {
	if o < 0 || int(o) >= len(orderNames) {
		return fmt.Sprintf("Order(%d)", int(o))
	}
	return orderNames[o]
}

// ParseOrder returns the Order named s: "semver", "modified" or "name",
// ignoring case.
func ParseOrder(s string) (Order, error) {
	for i, name := range orderNames {
		if strings.EqualFold(s, name) {
			return Order(i), nil
		}
	}
	return 0, fmt.Errorf("selector: unknown order %q (want semver, modified or name)", s)
}

// valid reports whether o is one of the defined orders.
func (o Order) valid() bool { return o >= 0 && int(o) < len(orderNames) }
