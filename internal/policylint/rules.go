package policylint

// Rule describes one finding code.
type Rule struct {
	Code    string // stable, upper snake case: "UNKNOWN_ACTION"
	Kind    Kind   // the kind of every finding with this code
	Summary string // one line: what the code means
}

// rule is a Rule with what the checks need to know of it.
type rule struct {
	Rule
	// grammar marks codes whose findings policy.Parse also rejects; when
	// Parse rejects a document, a grammar finding in the right place is
	// taken to explain the rejection.
	grammar bool
}

func errRule(code, summary string) *rule {
	return &rule{Rule: Rule{code, Error, summary}, grammar: true}
}

func newRule(code string, kind Kind, summary string) *rule {
	return &rule{Rule: Rule{code, kind, summary}}
}

// The codes. Grammar errors first, in the order a reader meets them, then
// the rest by kind.
var (
	ruleMalformedJSON = errRule("MALFORMED_JSON",
		"The document is not valid JSON, or not one JSON object.")
	ruleDuplicateKey = errRule("DUPLICATE_KEY",
		"An object names the same member twice.")
	ruleUnknownElement = errRule("UNKNOWN_ELEMENT",
		"The document or a statement has an element the policy language does not define; "+
			"element names are case-sensitive.")
	ruleElementType = errRule("INVALID_ELEMENT_TYPE",
		"An element's value has the wrong JSON type, such as a number where a string is due.")
	ruleEmptyList = errRule("EMPTY_LIST",
		"Statement, Action, Resource, a principal, a condition operator or a condition's "+
			"values is empty.")
	ruleInvalidVersion = errRule("INVALID_VERSION",
		"Version is neither 2012-10-17 nor 2008-10-17.")
	ruleVersionRequired = errRule("VERSION_REQUIRED",
		"A resource control policy has no Version 2012-10-17.")
	ruleMissingStatement = errRule("MISSING_STATEMENT",
		"The document has no Statement.")
	ruleMissingEffect = errRule("MISSING_EFFECT",
		"A statement has no Effect.")
	ruleInvalidEffect = errRule("INVALID_EFFECT",
		"Effect is neither Allow nor Deny (the words are case-sensitive).")
	ruleMissingAction = errRule("MISSING_ACTION",
		"A statement has neither Action nor NotAction.")
	ruleMissingResource = errRule("MISSING_RESOURCE",
		"A statement has neither Resource nor NotResource.")
	ruleConflicting = errRule("CONFLICTING_ELEMENTS",
		"A statement has both an element and its Not form, such as Action and NotAction.")
	ruleInvalidSid = errRule("INVALID_SID",
		"Sid is not a string, or, in an identity-based policy, holds more than letters "+
			"and digits.")
	ruleDuplicateSid = errRule("DUPLICATE_SID",
		"Two statements have the same Sid.")
	rulePrincipalNotAllowed = errRule("PRINCIPAL_NOT_ALLOWED",
		"An identity-based policy or an SCP names Principal or NotPrincipal.")
	ruleMissingPrincipal = errRule("MISSING_PRINCIPAL",
		"A statement of a resource-based policy or an RCP has no Principal.")
	ruleInvalidPrincipal = errRule("INVALID_PRINCIPAL",
		"A principal is not \"*\", an account, or the ARN of a user, role or session.")
	ruleNotPrincipalAllow = errRule("NOT_PRINCIPAL_WITH_ALLOW",
		"NotPrincipal appears with Effect Allow, which AWS does not support.")
	ruleInvalidAction = errRule("INVALID_ACTION",
		"An action is not \"*\" or service:action.")
	ruleInvalidResource = errRule("INVALID_RESOURCE",
		"A resource is not \"*\" or an ARN of six colon-separated parts.")
	ruleInvalidOperator = errRule("INVALID_CONDITION_OPERATOR",
		"A condition operator is not one the policy language defines.")
	ruleNullIfExists = errRule("NULL_WITH_IF_EXISTS",
		"The Null operator takes neither IfExists nor a set operator.")
	ruleInvalidKey = errRule("INVALID_CONDITION_KEY",
		"A condition key is not prefix:name.")
	ruleInvalidValue = errRule("INVALID_CONDITION_VALUE",
		"A condition value does not fit its operator, such as a Bool value other than "+
			"true or false.")
	ruleRCPAllow = errRule("RCP_ALLOW",
		"A resource control policy has an Allow statement; only RCPFullAWSAccess may allow.")
	ruleRCPNotAction = errRule("RCP_NOT_ACTION",
		"A resource control policy uses NotAction, which RCPs do not support.")
	ruleRCPPrincipal = errRule("RCP_PRINCIPAL",
		"A resource control policy names a principal other than \"*\", or NotPrincipal.")
	ruleParseError = errRule("PARSE_ERROR",
		"The policy parser rejects the document for a reason no other finding names.")

	ruleTooLarge = newRule("POLICY_TOO_LARGE", Error,
		"A policy is larger than AWS accepts for its kind: 20 KB for a bucket policy, "+
			"5,120 characters for an SCP or RCP, 6,144 characters besides white space for "+
			"an identity-based policy (the managed policy quota).")
	ruleEncoding = newRule("INVALID_ENCODING", Error,
		"A policy is not valid UTF-8 text, or escapes half a UTF-16 surrogate pair "+
			"(\\ud800 alone), which stands for no character.")
	ruleBucketAction = newRule("BUCKET_POLICY_ACTION_NOT_S3", Error,
		"A bucket policy names an action of another service.")
	ruleBucketResource = newRule("BUCKET_POLICY_RESOURCE_NOT_S3", Error,
		"A bucket policy names a resource that is no bucket or object.")
	ruleUnknownAction = newRule("UNKNOWN_ACTION", Error,
		"An S3 action does not exist, or a wildcard matches no S3 action.")
	ruleTypeMismatch = newRule("RESOURCE_TYPE_MISMATCH", Error,
		"An S3 action applies to none of the statement's resources, so the statement never "+
			"matches it (s3:GetObject on a bucket ARN).")
	ruleInvalidS3Resource = newRule("INVALID_S3_RESOURCE", Error,
		"An S3 ARN matches no resource type of Amazon S3, so it matches no request.")
	ruleInvalidVariable = newRule("INVALID_POLICY_VARIABLE", Error,
		"A policy variable is empty (${}) or not ${key} or ${key, 'default'}, so it never "+
			"resolves and the value holding it matches nothing.")
	ruleMultivaluedVariable = newRule("MULTIVALUED_POLICY_VARIABLE", Error,
		"A policy variable names a multivalued key such as aws:TagKeys; variables resolve "+
			"single-valued keys only, so the value matches nothing (or is always the default).")

	rulePublicAccess = newRule("PUBLIC_ACCESS", SecurityWarning,
		"A resource-based policy allows everyone (\"*\") with no condition that limits "+
			"who or where.")
	ruleAllowForAll = newRule("ALLOW_WITH_FOR_ALL_VALUES", SecurityWarning,
		"An Allow uses ForAllValues, which holds when the key is missing or empty.")

	ruleUnknownKey = newRule("UNKNOWN_CONDITION_KEY", Warning,
		"An aws: or s3: condition key is not one AWS defines; the condition never sees a "+
			"value.")
	ruleKeyNotApplicable = newRule("CONDITION_KEY_NOT_APPLICABLE", Warning,
		"An S3 condition key is supported by none of the statement's S3 actions.")
	ruleKeyNotAvailable = newRule("GLOBAL_KEY_NOT_AVAILABLE", Warning,
		"A global condition key is never in the request context this kind of policy sees.")
	ruleSetOnSingle = newRule("SET_OPERATOR_ON_SINGLE_VALUED_KEY", Warning,
		"ForAllValues or ForAnyValue is used with a single-valued key.")
	ruleMissingSet = newRule("MISSING_SET_OPERATOR", Warning,
		"A multivalued key is compared without ForAllValues or ForAnyValue.")
	ruleOperatorType = newRule("CONDITION_TYPE_MISMATCH", Warning,
		"A condition operator compares a key of another type, such as StringEquals on "+
			"aws:SourceIp.")
	ruleOldVariable = newRule("VARIABLE_IN_OLD_VERSION", Warning,
		"A policy variable appears in a policy without Version 2012-10-17, where it is "+
			"literal text.")
	ruleUnterminatedVariable = newRule("UNTERMINATED_POLICY_VARIABLE", Warning,
		"A value has ${ with no closing }, so it holds the literal text ${, not a policy "+
			"variable.")
	ruleUnknownVariable = newRule("UNKNOWN_POLICY_VARIABLE", Warning,
		"A policy variable names an aws: or s3: key AWS does not define, or a key without a "+
			"prefix; it never resolves.")
	ruleVariableNotApplicable = newRule("POLICY_VARIABLE_NOT_APPLICABLE", Warning,
		"A policy variable names an S3 key none of the statement's S3 actions carries "+
			"(${s3:prefix} with s3:GetObject), so it never resolves.")
	ruleAllowNotAction = newRule("ALLOW_WITH_NOT_ACTION", Warning,
		"An Allow uses NotAction, which grants every action not listed, future ones too.")
	ruleAllowNotResource = newRule("ALLOW_WITH_NOT_RESOURCE", Warning,
		"An Allow uses NotResource, which grants on every resource not listed.")
	ruleShadowed = newRule("SHADOWED_ALLOW", Warning,
		"An Allow is entirely covered by an unconditional Deny, so it never grants.")
	ruleResourceUnused = newRule("RESOURCE_MATCHES_NO_ACTION", Warning,
		"A resource is of a type none of the statement's S3 actions applies to.")

	ruleMissingVersion = newRule("MISSING_VERSION", Suggestion,
		"The document has no Version; write Version 2012-10-17.")
	ruleOldVersion = newRule("OLD_VERSION", Suggestion,
		"The document has Version 2008-10-17; write 2012-10-17.")
	ruleEmptySid = newRule("EMPTY_SID", Suggestion,
		"A statement has an empty Sid.")
	ruleRedundantValue = newRule("REDUNDANT_VALUE", Suggestion,
		"An Action or Resource entry is repeated or covered by another entry of the list.")
	ruleRedundantStatement = newRule("REDUNDANT_STATEMENT", Suggestion,
		"A statement is covered by another of the same effect that has no condition.")
)

var allRules = []*rule{
	ruleMalformedJSON, ruleDuplicateKey, ruleUnknownElement, ruleElementType, ruleEmptyList,
	ruleInvalidVersion, ruleVersionRequired, ruleMissingStatement, ruleMissingEffect,
	ruleInvalidEffect, ruleMissingAction, ruleMissingResource, ruleConflicting, ruleInvalidSid,
	ruleDuplicateSid, rulePrincipalNotAllowed, ruleMissingPrincipal, ruleInvalidPrincipal,
	ruleNotPrincipalAllow, ruleInvalidAction, ruleInvalidResource, ruleInvalidOperator,
	ruleNullIfExists, ruleInvalidKey, ruleInvalidValue, ruleRCPAllow, ruleRCPNotAction,
	ruleRCPPrincipal, ruleParseError,
	ruleTooLarge, ruleEncoding, ruleBucketAction, ruleBucketResource, ruleUnknownAction,
	ruleTypeMismatch, ruleInvalidS3Resource, ruleInvalidVariable, ruleMultivaluedVariable,
	rulePublicAccess, ruleAllowForAll,
	ruleUnknownKey, ruleKeyNotApplicable, ruleKeyNotAvailable, ruleSetOnSingle, ruleMissingSet,
	ruleOperatorType, ruleOldVariable, ruleUnterminatedVariable, ruleUnknownVariable,
	ruleVariableNotApplicable, ruleAllowNotAction, ruleAllowNotResource, ruleShadowed,
	ruleResourceUnused,
	ruleMissingVersion, ruleOldVersion, ruleEmptySid, ruleRedundantValue,
	ruleRedundantStatement,
}

// Rules returns every finding code the linter reports, with its kind and a
// one-line summary, grammar errors first and then by kind.
func Rules() []Rule {
	out := make([]Rule, len(allRules))
	for i, r := range allRules {
		out[i] = r.Rule
	}
	return out
}
