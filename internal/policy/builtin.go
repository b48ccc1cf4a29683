package policy

// The AWS managed Organizations policies. AWS attaches FullAWSAccess to
// every root, OU and account when SCPs are enabled (it may be detached), and
// RCPFullAWSAccess to every one when RCPs are enabled (it may not be).
const (
	FullAWSAccessName    = "FullAWSAccess"
	RCPFullAWSAccessName = "RCPFullAWSAccess"
)

const (
	fullAWSAccessDoc = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	rcpFullAWSAccessDoc = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
)

// FullAWSAccess returns the SCP that allows everything.
func FullAWSAccess() *Policy { return fullAWSAccess }

// RCPFullAWSAccess returns the RCP that allows everything, the only RCP
// whose Effect may be Allow.
func RCPFullAWSAccess() *Policy { return rcpFullAWSAccess }

var (
	fullAWSAccess    = mustBuiltin(fullAWSAccessDoc, ServiceControl)
	rcpFullAWSAccess = mustBuiltin(rcpFullAWSAccessDoc, ResourceControl)
)

func mustBuiltin(doc string, kind Kind) *Policy {
	p, err := parse([]byte(doc), kind, true)
	if err != nil {
		panic("policy: built-in policy: " + err.Error())
	}
	return p
}
