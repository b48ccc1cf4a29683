package policy

import "testing"

// TestEvaluateDoesNotAllocate pins Evaluate's promise for the scenario's
// decisions: every outcome, allowed, explicitly and implicitly denied, for a
// same-account user, a cross-account user, an outsider, an anonymous caller
// and the root user, costs no heap allocation.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	s := newScenario(t)
	tests := []struct {
		name, caller, action, resource string
		context                        Context
		want                           Effect
	}{
		{"cross-account get", "delegate", "s3:GetObject", object,
			ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true"), Allow},
		{"same-account put with SSE", "publisher", "s3:PutObject", object, sse(), Allow},
		{"same-account put without SSE", "publisher", "s3:PutObject", object, nil,
			ExplicitDeny},
		{"outsider lists", "intruder", "s3:ListBucket", bucket, nil, ImplicitDeny},
		{"anonymous gets", "anonymous", "s3:GetObject", object, nil, ImplicitDeny},
		{"root deletes the bucket", "devtools root", "s3:DeleteBucket", bucket, nil,
			ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := s.input(s.caller(tt.caller), tt.action, tt.resource, tt.context)
			if d := Evaluate(in); d.Effect != tt.want {
				t.Fatalf("Effect = %v, want %v (%s)", d.Effect, tt.want, d.Reason())
			}
			if n := testing.AllocsPerRun(200, func() { Evaluate(in) }); n != 0 {
				t.Errorf("Evaluate allocates %v times per decision, want 0", n)
			}
		})
	}
}
