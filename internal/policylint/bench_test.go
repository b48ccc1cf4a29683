package policylint

import (
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
)

// BenchmarkValidateEveryAction lints two statements that each name every S3
// action, the worst case of the pairwise coverage checks.
func BenchmarkValidateEveryAction(b *testing.B) {
	var acts []string
	for _, a := range s3catalog.Actions() {
		acts = append(acts, `"`+a.String()+`"`)
	}
	st := `{"Effect":"Allow","Action":[` + strings.Join(acts, ",") + `],"Resource":"*"}`
	d := []byte(doc(st, st))
	for b.Loop() {
		Validate(d, policy.Identity)
	}
}
