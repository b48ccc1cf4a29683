package s3catalog

import (
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// KeyType is the type of a condition key's values as AWS's references name
// it; it says which condition operators compare the key meaningfully.
type KeyType string

// The key types of the references.
const (
	String    KeyType = "String"
	ARN       KeyType = "ARN"
	Numeric   KeyType = "Numeric"
	Date      KeyType = "Date"
	Bool      KeyType = "Bool"
	IPAddress KeyType = "IPAddress"
	// DateNumeric is aws:EpochTime's type: a date or a number of seconds.
	DateNumeric KeyType = "Date, Numeric"
)

// KindSet is a set of policy kinds.
type KindSet uint8

// AllKinds holds every kind of policy.
const AllKinds = KindSet(1<<policy.Identity | 1<<policy.Resource |
	1<<policy.ServiceControl | 1<<policy.ResourceControl)

// Kinds returns the set holding ks.
func Kinds(ks ...policy.Kind) KindSet {
	var s KindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

// Has reports whether the set holds k.
func (s KindSet) Has(k policy.Kind) bool { return k >= 0 && k < 8 && s&(1<<k) != 0 }

// Key is a condition key.
type Key struct {
	// Name is the key as AWS writes it. A key that takes a tag key ends in
	// /${TagKey} or /<key>, and stands for every key with that prefix.
	Name string
	Type KeyType
	// Multivalued keys hold a set of values and are compared with the
	// ForAllValues and ForAnyValue set operators.
	Multivalued bool
	// Kinds are the kinds of policy whose request context can hold the key.
	// A key that AWS sets only when an AWS service principal calls (such as
	// aws:SourceArn) never reaches an identity-based policy or an SCP, which
	// govern IAM principals alone.
	Kinds KindSet
}

// The condition keys of Amazon S3, from the Service Authorization
// Reference's condition keys table (December 2026).
var s3Keys = []Key{
	{Name: "s3:AccessGrantScope", Type: String},
	{Name: "s3:AccessGrantsInstanceArn", Type: ARN},
	{Name: "s3:AccessGrantsLocationScope", Type: String},
	{Name: "s3:AccessPointNetworkOrigin", Type: String},
	{Name: "s3:AccessPointTag/${TagKey}", Type: String},
	{Name: "s3:BucketTag/${TagKey}", Type: String},
	{Name: "s3:DataAccessPointAccount", Type: String},
	{Name: "s3:DataAccessPointArn", Type: ARN},
	{Name: "s3:ExistingJobOperation", Type: String},
	{Name: "s3:ExistingJobPriority", Type: Numeric},
	{Name: "s3:ExistingObjectTag/<key>", Type: String},
	{Name: "s3:InventoryAccessibleOptionalFields", Type: String, Multivalued: true},
	{Name: "s3:JobSuspendedCause", Type: String},
	{Name: "s3:ObjectCreationOperation", Type: Bool},
	{Name: "s3:RequestJobOperation", Type: String},
	{Name: "s3:RequestJobPriority", Type: Numeric},
	{Name: "s3:RequestObjectTag/<key>", Type: String},
	{Name: "s3:RequestObjectTagKeys", Type: String, Multivalued: true},
	{Name: "s3:ResourceAccount", Type: String},
	{Name: "s3:TlsVersion", Type: Numeric},
	{Name: "s3:annotation-prefix", Type: String},
	{Name: "s3:authType", Type: String},
	{Name: "s3:delimiter", Type: String},
	{Name: "s3:deliverySourceArn", Type: ARN},
	{Name: "s3:destinationRegion", Type: String},
	{Name: "s3:if-match", Type: String},
	{Name: "s3:if-none-match", Type: String},
	{Name: "s3:isReplicationPauseRequest", Type: Bool},
	{Name: "s3:locationconstraint", Type: String},
	{Name: "s3:logType", Type: String},
	{Name: "s3:max-annotation-results", Type: Numeric},
	{Name: "s3:max-keys", Type: Numeric},
	{Name: "s3:object-lock-legal-hold", Type: String},
	{Name: "s3:object-lock-mode", Type: String},
	{Name: "s3:object-lock-remaining-retention-days", Type: Numeric},
	{Name: "s3:object-lock-retain-until-date", Type: Date},
	{Name: "s3:prefix", Type: String},
	{Name: "s3:resourceArnBeingAuthorized", Type: ARN},
	{Name: "s3:signatureAge", Type: Numeric},
	{Name: "s3:signatureversion", Type: String},
	{Name: "s3:versionid", Type: String},
	{Name: "s3:x-amz-acl", Type: String},
	{Name: "s3:x-amz-bucket-namespace", Type: String},
	{Name: "s3:x-amz-content-sha256", Type: String},
	{Name: "s3:x-amz-copy-source", Type: String},
	{Name: "s3:x-amz-grant-full-control", Type: String},
	{Name: "s3:x-amz-grant-read", Type: String},
	{Name: "s3:x-amz-grant-read-acp", Type: String},
	{Name: "s3:x-amz-grant-write", Type: String},
	{Name: "s3:x-amz-grant-write-acp", Type: String},
	{Name: "s3:x-amz-metadata-directive", Type: String},
	{Name: "s3:x-amz-object-annotation-directive", Type: String},
	{Name: "s3:x-amz-object-if-match", Type: String},
	{Name: "s3:x-amz-object-ownership", Type: String},
	{Name: "s3:x-amz-server-side-encryption", Type: String},
	{Name: "s3:x-amz-server-side-encryption-aws-kms-key-id", Type: ARN},
	{Name: "s3:x-amz-server-side-encryption-customer-algorithm", Type: String},
	{Name: "s3:x-amz-storage-class", Type: String},
	{Name: "s3:x-amz-website-redirect-location", Type: String},
}

// serviceCalls is where the keys AWS sets only for calls by an AWS service
// principal can appear: resource-based policies and RCPs.
var serviceCalls = Kinds(policy.Resource, policy.ResourceControl)

// The global condition keys (aws:...) of the IAM User Guide's "AWS global
// condition context keys" (December 2026). Kinds is AllKinds unless the key
// exists only for calls made by an AWS service principal.
var globalKeys = []Key{
	{Name: "aws:AssumedRoot", Type: String},
	{Name: "aws:CalledVia", Type: String, Multivalued: true},
	{Name: "aws:CalledViaFirst", Type: String},
	{Name: "aws:CalledViaLast", Type: String},
	{Name: "aws:ChatbotSourceArn", Type: ARN},
	{Name: "aws:CurrentTime", Type: Date},
	{Name: "aws:Ec2InstanceSourcePrivateIPv4", Type: IPAddress},
	{Name: "aws:Ec2InstanceSourceVpc", Type: String},
	{Name: "aws:EpochTime", Type: DateNumeric},
	{Name: "aws:FederatedProvider", Type: String},
	{Name: "aws:MultiFactorAuthAge", Type: Numeric},
	{Name: "aws:MultiFactorAuthPresent", Type: Bool},
	{Name: "aws:PrincipalAccount", Type: String},
	{Name: "aws:PrincipalArn", Type: ARN},
	{Name: "aws:PrincipalIsAWSService", Type: Bool},
	{Name: "aws:PrincipalOrgID", Type: String},
	{Name: "aws:PrincipalOrgPaths", Type: String, Multivalued: true},
	{Name: "aws:PrincipalServiceName", Type: String, Kinds: serviceCalls},
	{Name: "aws:PrincipalServiceNamesList", Type: String, Multivalued: true,
		Kinds: serviceCalls},
	{Name: "aws:PrincipalTag/${TagKey}", Type: String},
	{Name: "aws:PrincipalType", Type: String},
	{Name: "aws:Referer", Type: String},
	{Name: "aws:RequestTag/${TagKey}", Type: String},
	{Name: "aws:RequestedRegion", Type: String},
	{Name: "aws:ResourceAccount", Type: String},
	{Name: "aws:ResourceOrgID", Type: String},
	{Name: "aws:ResourceOrgPaths", Type: String, Multivalued: true},
	{Name: "aws:ResourceTag/${TagKey}", Type: String},
	{Name: "aws:SecureTransport", Type: Bool},
	{Name: "aws:SourceAccount", Type: String, Kinds: serviceCalls},
	{Name: "aws:SourceArn", Type: ARN, Kinds: serviceCalls},
	{Name: "aws:SourceIdentity", Type: String},
	{Name: "aws:SourceIp", Type: IPAddress},
	{Name: "aws:SourceOrgID", Type: String, Kinds: serviceCalls},
	{Name: "aws:SourceOrgPaths", Type: String, Multivalued: true, Kinds: serviceCalls},
	{Name: "aws:SourceVpc", Type: String},
	{Name: "aws:SourceVpcArn", Type: ARN},
	{Name: "aws:SourceVpce", Type: String},
	{Name: "aws:TagKeys", Type: String, Multivalued: true},
	{Name: "aws:TokenIssueTime", Type: Date},
	{Name: "aws:UserAgent", Type: String},
	{Name: "aws:ViaAWSService", Type: Bool},
	{Name: "aws:VpcSourceIp", Type: IPAddress},
	{Name: "aws:VpceAccount", Type: String},
	{Name: "aws:VpceOrgID", Type: String},
	{Name: "aws:VpceOrgPaths", Type: String, Multivalued: true},
	{Name: "aws:userid", Type: String},
	{Name: "aws:username", Type: String},
}

var keyIndex = map[string]Key{} // keyName of each key to the key

func init() {
	for _, list := range [][]Key{s3Keys, globalKeys} {
		for i := range list {
			if list[i].Kinds == 0 {
				list[i].Kinds = AllKinds
			}
			keyIndex[keyName(list[i].Name)] = list[i]
		}
	}
}

// S3Keys returns S3's condition keys, sorted by name.
func S3Keys() []Key { return append([]Key(nil), s3Keys...) }

// GlobalKeys returns AWS's global condition keys, sorted by name.
func GlobalKeys() []Key { return append([]Key(nil), globalKeys...) }

// LookupKey finds a condition key of S3 (s3:...) or a global one (aws:...)
// as a policy writes it: in any case, with a tag key in place of ${TagKey}
// or <key>.
func LookupKey(name string) (Key, bool) {
	if prefix, tag, ok := strings.Cut(name, "/"); ok && (prefix == "" || tag == "") {
		return Key{}, false
	}
	k, ok := keyIndex[keyName(name)]
	return k, ok
}

// keyName is the form keys compare in: lower case, and a tag key cut off
// after its slash.
func keyName(k string) string {
	k = strings.ToLower(k)
	if i := strings.IndexByte(k, '/'); i >= 0 {
		return k[:i+1]
	}
	return k
}
