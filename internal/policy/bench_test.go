package policy

import (
	"encoding/json"
	"testing"
)

// BenchmarkEvaluateScenario is the delegate's cross-account GetObject against
// the scenario bucket policy and its identity policy, both parsed once.
func BenchmarkEvaluateScenario(b *testing.B) {
	s := newScenario(b)
	in := s.input(s.caller("delegate"), "s3:GetObject", object,
		ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true"))
	if d := Evaluate(in); d.Effect != Allow {
		b.Fatalf("Effect = %v: %s", d.Effect, d.Reason())
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(in)
	}
}

// BenchmarkParseScenario parses and compiles the scenario bucket policy.
func BenchmarkParseScenario(b *testing.B) {
	doc := readTestdata(b, "scenario-bucket-policy.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, Resource); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineUnmarshalScenario decodes the scenario bucket policy with
// encoding/json into generic values: the baseline that Evaluate and Parse are
// quoted against, measured in the same run.
func BenchmarkBaselineUnmarshalScenario(b *testing.B) {
	doc := readTestdata(b, "scenario-bucket-policy.json")
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			b.Fatal(err)
		}
	}
}
