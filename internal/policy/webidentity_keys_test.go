package policy

import "testing"

// TestWebIdentityConditionKeys checks that the keys of web identity
// providers, prefixed with the provider's name, parse and match, and that
// keys with a bad prefix are still refused.
func TestWebIdentityConditionKeys(t *testing.T) {
	const eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	tests := []struct {
		name  string
		key   string
		parse bool
	}{
		{"EKS", eks + ":sub", true},
		{"Google", "accounts.google.com:aud", true},
		{"LoopbackWithPort", "127.0.0.1:8080:sub", true},
		{"TrailingSlash", "issuer.example.com/:aud", true},
		{"NoPrefix", ":sub", false},
		{"SpaceInPrefix", "issuer example.com:sub", false},
		{"StarInPrefix", "*.example.com:sub", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/x"},` +
				`"Action":"sts:AssumeRoleWithWebIdentity","Resource":"*",` +
				`"Condition":{"StringEquals":{"` + tt.key + `":"v"}}}]}`
			p, err := Parse([]byte(doc), Resource)
			if (err == nil) != tt.parse {
				t.Fatalf("Parse: %v, want ok %v", err, tt.parse)
			}
			if err != nil {
				return
			}
			req := Request{Action: "sts:AssumeRoleWithWebIdentity",
				Resource: "arn:aws:iam::111122223333:role/r",
				Principal: Principal{Type: TypeWebIdentity,
					Federated: "arn:aws:iam::111122223333:oidc-provider/x"},
				Context: Context{}}
			src := &Source{Layer: LayerResource, Name: "trust", Policy: p}
			for _, v := range []string{"v", "w"} {
				req.Context.Set(tt.key, v)
				d := Evaluate(Input{Request: req, Resource: src})
				if got, want := d.Effect == Allow, v == "v"; got != want {
					t.Errorf("%s = %s: %s", tt.key, v, d.Effect)
				}
			}
		})
	}
}
