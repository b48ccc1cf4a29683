package s3api_test

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Statuses of the cases: 403 is AccessDenied, the key decided; the others
// are the operation's own answer once authorized.
const (
	deny403    = http.StatusForbidden
	ok200      = http.StatusOK
	ok204      = http.StatusNoContent
	bad400     = http.StatusBadRequest
	pre412     = http.StatusPreconditionFailed
	notImpl501 = http.StatusNotImplemented
)

// The probes the cases start from.
func getObj() probe  { return probe{method: http.MethodGet, key: "obj"} }
func headObj() probe { return probe{method: http.MethodHead, key: "obj"} }
func putObj() probe  { return probe{method: http.MethodPut, key: "new", body: "data"} }
func delObj() probe  { return probe{method: http.MethodDelete, key: "obj"} }
func ls() probe      { return probe{method: http.MethodGet} }
func lsV2() probe    { return ls().q("list-type=2") }

func bucketOp(method, query string) probe { return probe{method: method, query: query} }

func createBucket(region, body string) probe {
	return probe{method: http.MethodPut, region: region, body: body}
}

// lcBody is a CreateBucketConfiguration with the given LocationConstraint element.
func lcBody(element string) string {
	return "<CreateBucketConfiguration>" + element + "</CreateBucketConfiguration>"
}

// conditionKeyCases is the table of TestConditionKeys.
func conditionKeyCases() []keyCase {
	var cs []keyCase
	for _, group := range [][]keyCase{globalKeyCases(), authKeyCases(), listKeyCases(),
		putKeyCases(), objectKeyCases(), bucketKeyCases()} {
		cs = append(cs, group...)
	}
	return cs
}

// globalKeyCases covers the aws: keys of the request itself.
func globalKeyCases() []keyCase {
	const get = "s3:GetObject"
	return []keyCase{
		{name: "aws:SecureTransport false over plain HTTP", action: get, layer: bucketLayer,
			cond: `{"Bool":{"aws:SecureTransport":"false"}}`, req: getObj(),
			want: deny403, tlsWant: ok200},
		{name: "aws:SecureTransport always present", action: get,
			cond: `{"Null":{"aws:SecureTransport":"true"}}`, req: getObj(), want: ok200},
		{name: "s3:TlsVersion only over TLS", action: get,
			cond: `{"Null":{"s3:TlsVersion":"true"}}`, req: getObj(),
			want: deny403, tlsWant: ok200},
		{name: "s3:TlsVersion 1.2 client", action: get,
			cond: `{"NumericLessThan":{"s3:TlsVersion":"1.3"}}`, req: probe{method: "GET",
				key: "obj", tls12: true}, want: ok200, tlsWant: deny403},
		{name: "s3:TlsVersion 1.3 client", action: get,
			cond: `{"NumericLessThan":{"s3:TlsVersion":"1.3"}}`, req: getObj(), want: ok200},
		{name: "aws:SourceIp loopback", action: get, layer: bucketLayer,
			cond: `{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`, req: getObj(), want: ok200},
		{name: "aws:SourceIp 127.0.0.1 deny403", action: get, layer: bucketLayer,
			cond: `{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}`, req: getObj(), want: deny403},
		{name: "aws:CurrentTime", action: get,
			cond: `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`,
			req:  getObj(), want: deny403},
		{name: "aws:EpochTime", action: get,
			cond: `{"NumericGreaterThan":{"aws:EpochTime":"1577836800"}}`,
			req:  getObj(), want: deny403},
		{name: "aws:UserAgent as sent", action: get,
			cond: `{"StringEquals":{"aws:UserAgent":"Probe/1.0"}}`,
			req:  getObj().with("User-Agent", "Probe/1.0"), want: deny403},
		{name: "aws:UserAgent empty without header", action: get,
			cond: `{"StringEquals":{"aws:UserAgent":""}}`,
			req:  getObj().with("User-Agent", ""), want: deny403},
		{name: "aws:UserAgent always present", action: get,
			cond: `{"Null":{"aws:UserAgent":"true"}}`,
			req:  getObj().with("User-Agent", ""), want: ok200},
		{name: "aws:referer absent without header", action: get,
			cond: `{"Null":{"aws:referer":"false"}}`, req: getObj(), want: ok200},
		{name: "aws:referer as sent", action: get,
			cond: `{"StringLike":{"aws:Referer":"https://example.com/*"}}`,
			req:  getObj().with("Referer", "https://example.com/page"), want: deny403},
		{name: "aws:referer sent empty", action: get,
			cond: `{"StringEquals":{"aws:referer":""}}`,
			req:  getObj().with("Referer", ""), want: deny403},
		{name: "aws:RequestedRegion us-east-1", action: get,
			cond: `{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`,
			req:  getObj(), want: ok200},
		{name: "aws:RequestedRegion eu-west-1", action: get, region: "eu-west-1",
			cond: `{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`,
			req:  probe{method: "GET", key: "obj", region: "eu-west-1"}, want: deny403},
		{name: "aws:RequestedRegion anonymous", action: get, layer: bucketLayer,
			cond: `{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`,
			req:  getObj().as(anonymous), want: ok200},
		{name: "aws:ViaAWSService false", action: get,
			cond: `{"Bool":{"aws:ViaAWSService":"false"}}`, req: getObj(), want: deny403},
		{name: "aws:MultiFactorAuthPresent absent for access keys", action: get,
			cond: `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`,
			req:  getObj(), want: deny403},
		{name: "aws:MultiFactorAuthPresent never present", action: get,
			cond: `{"Null":{"aws:MultiFactorAuthPresent":"false"}}`, req: getObj(), want: ok200},
		{name: "aws:TokenIssueTime absent for access keys", action: get,
			cond: `{"Null":{"aws:TokenIssueTime":"false"}}`, req: getObj(), want: ok200},
		{name: "aws:CalledVia absent for direct calls", action: get,
			cond: `{"Null":{"aws:CalledVia":"false"}}`, req: getObj(), want: ok200},
	}
}

// authKeyCases covers the keys of the signature and of the target account.
func authKeyCases() []keyCase {
	const get = "s3:GetObject"
	return []keyCase{
		{name: "s3:authType REST-HEADER", action: get,
			cond: `{"StringEquals":{"s3:authType":"REST-HEADER"}}`, req: getObj(), want: deny403},
		{name: "s3:authType REST-QUERY-STRING", action: get, layer: bucketLayer,
			cond: `{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}`,
			req:  getObj().as(byQuery), want: deny403},
		{name: "s3:authType header request not presigned", action: get, layer: bucketLayer,
			cond: `{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}`,
			req:  getObj(), want: ok200},
		{name: "s3:authType absent when anonymous", action: get, layer: bucketLayer,
			cond: `{"Null":{"s3:authType":"true"}}`, req: getObj().as(anonymous), want: deny403},
		{name: "anonymous read allowed", action: get, layer: bucketLayer,
			cond: `{"Null":{"s3:authType":"false"}}`, req: getObj().as(anonymous), want: ok200},
		{name: "s3:signatureversion presigned", action: get,
			cond: `{"StringEquals":{"s3:signatureversion":"AWS4-HMAC-SHA256"}}`,
			req:  getObj().as(byQuery), want: deny403},
		{name: "s3:signatureversion absent when anonymous", action: get, layer: bucketLayer,
			cond: `{"Null":{"s3:signatureversion":"true"}}`,
			req:  getObj().as(anonymous), want: deny403},
		{name: "s3:signatureAge of an old URL", action: get,
			cond: `{"NumericGreaterThan":{"s3:signatureAge":"60000"}}`,
			req:  probe{method: "GET", key: "obj", auth: byQuery, age: 2 * time.Minute},
			want: deny403},
		{name: "s3:signatureAge of a fresh URL", action: get,
			cond: `{"NumericGreaterThan":{"s3:signatureAge":"60000"}}`,
			req:  getObj().as(byQuery), want: ok200},
		{name: "s3:signatureAge absent for header auth", action: get,
			cond: `{"Null":{"s3:signatureAge":"true"}}`, req: getObj(), want: deny403},
		{name: "s3:signatureAge present for presigned", action: get,
			cond: `{"Null":{"s3:signatureAge":"true"}}`, req: getObj().as(byQuery), want: ok200},
		{name: "s3:x-amz-content-sha256 UNSIGNED-PAYLOAD", action: "s3:PutObject",
			cond: `{"StringEquals":{"s3:x-amz-content-sha256":"UNSIGNED-PAYLOAD"}}`,
			req:  probe{method: "PUT", key: "new", body: "data", payload: "UNSIGNED-PAYLOAD"},
			want: deny403},
		{name: "s3:x-amz-content-sha256 signed payload", action: "s3:PutObject",
			cond: `{"StringEquals":{"s3:x-amz-content-sha256":"UNSIGNED-PAYLOAD"}}`,
			req:  putObj(), want: ok200},
		{name: "s3:x-amz-content-sha256 absent for presigned", action: get,
			cond: `{"Null":{"s3:x-amz-content-sha256":"true"}}`,
			req:  getObj().as(byQuery), want: deny403},
		{name: "s3:ResourceAccount", action: get,
			cond: `{"StringEquals":{"s3:ResourceAccount":"111111111111"}}`,
			req:  getObj(), want: deny403},
		{name: "s3:ResourceAccount of another account", action: get,
			cond: `{"StringNotEquals":{"s3:ResourceAccount":"111111111111"}}`,
			req:  getObj(), want: ok200},
	}
}

// listKeyCases covers s3:prefix, s3:delimiter and s3:max-keys: missing
// without the parameter, "" for an empty one.
func listKeyCases() []keyCase {
	const lb = "s3:ListBucket"
	prefixNull := `{"Null":{"s3:prefix":"true"}}`
	return []keyCase{
		{name: "s3:prefix absent (V1)", action: lb, layer: bucketLayer, cond: prefixNull,
			req: ls(), want: deny403},
		{name: "s3:prefix empty (V1)", action: lb, layer: bucketLayer, cond: prefixNull,
			req: ls().q("prefix="), want: ok200},
		{name: "s3:prefix absent (V2)", action: lb, cond: prefixNull, req: lsV2(),
			want: deny403},
		{name: "s3:prefix empty (V2)", action: lb, cond: prefixNull,
			req: ls().q("list-type=2&prefix="), want: ok200},
		{name: "s3:prefix equals empty", action: lb, cond: `{"StringEquals":{"s3:prefix":""}}`,
			req: ls().q("prefix="), want: deny403},
		{name: "s3:prefix equals empty, no parameter", action: lb,
			cond: `{"StringEquals":{"s3:prefix":""}}`, req: ls(), want: ok200},
		{name: "s3:prefix keeps case", action: lb,
			cond: `{"StringEquals":{"s3:prefix":"Docs/"}}`,
			req:  ls().q("prefix=Docs%2F"), want: deny403},
		{name: "s3:prefix case differs", action: lb,
			cond: `{"StringEquals":{"s3:prefix":"Docs/"}}`,
			req:  ls().q("prefix=docs%2F"), want: ok200},
		{name: "s3:delimiter sent", action: lb, cond: `{"Null":{"s3:delimiter":"false"}}`,
			req: ls().q("delimiter=%2F"), want: deny403},
		{name: "s3:delimiter sent empty", action: lb,
			cond: `{"Null":{"s3:delimiter":"false"}}`, req: lsV2().q("list-type=2&delimiter="),
			want: deny403},
		{name: "s3:delimiter absent", action: lb, cond: `{"Null":{"s3:delimiter":"false"}}`,
			req: ls(), want: ok200},
		{name: "s3:max-keys over the limit", action: lb,
			cond: `{"NumericGreaterThan":{"s3:max-keys":"10"}}`,
			req:  ls().q("max-keys=100"), want: deny403},
		{name: "s3:max-keys within the limit", action: lb,
			cond: `{"NumericGreaterThan":{"s3:max-keys":"10"}}`,
			req:  lsV2().q("list-type=2&max-keys=5"), want: ok200},
		{name: "s3:max-keys absent", action: lb, cond: `{"Null":{"s3:max-keys":"true"}}`,
			req: lsV2(), want: deny403},
		{name: "HeadBucket carries no list keys", action: lb,
			cond: `{"Null":{"s3:prefix":"false"}}`,
			req:  bucketOp(http.MethodHead, "prefix=x"), want: ok200},
		{name: "SDK ListObjectsV2 with Prefix empty", action: lb, cond: prefixNull,
			sdk: func(c *s3.Client, b string) error {
				_, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
					Bucket: aws.String(b), Prefix: aws.String("")})
				return err
			}, want: ok200},
		{name: "SDK ListObjectsV2 without Prefix", action: lb, cond: prefixNull,
			sdk: func(c *s3.Client, b string) error {
				_, err := c.ListObjectsV2(context.Background(),
					&s3.ListObjectsV2Input{Bucket: aws.String(b)})
				return err
			}, want: deny403},
	}
}

// putKeyCases covers the keys of PutObject.
func putKeyCases() []keyCase {
	const po = "s3:PutObject"
	sse := `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`
	cs := []keyCase{
		{name: "s3:x-amz-server-side-encryption absent", action: po, layer: bucketLayer,
			cond: sse, req: putObj(), want: deny403},
		{name: "s3:x-amz-server-side-encryption AES256", action: po, layer: bucketLayer,
			cond: sse, req: putObj().with("X-Amz-Server-Side-Encryption", "AES256"), want: ok200},
		{name: "SDK PutObject without encryption", action: po, cond: sse,
			sdk: sdkPut(""), want: deny403},
		{name: "SDK PutObject with AES256", action: po, cond: sse,
			sdk: sdkPut(types.ServerSideEncryptionAes256), want: ok200},
		{name: "s3:x-amz-server-side-encryption must be AES256", action: po,
			cond: `{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}`,
			req:  putObj(), want: deny403},
		{name: "s3:x-amz-acl public-read", action: po,
			cond: `{"StringEquals":{"s3:x-amz-acl":"public-read"}}`,
			req:  putObj().with("X-Amz-Acl", "public-read"), want: deny403},
		{name: "s3:x-amz-acl private", action: po,
			cond: `{"StringEquals":{"s3:x-amz-acl":"public-read"}}`,
			req:  putObj().with("X-Amz-Acl", "private"), want: ok200},
		{name: "s3:x-amz-acl sent empty", action: po,
			cond: `{"StringEquals":{"s3:x-amz-acl":""}}`,
			req:  putObj().with("X-Amz-Acl", ""), want: deny403},
		{name: "s3:x-amz-grant-read absent", action: po,
			cond: `{"Null":{"s3:x-amz-grant-read":"false"}}`, req: putObj(), want: ok200},
		{name: "s3:x-amz-storage-class GLACIER", action: po,
			cond: `{"StringNotEqualsIfExists":{"s3:x-amz-storage-class":"STANDARD"}}`,
			req:  putObj().with("X-Amz-Storage-Class", "GLACIER"), want: deny403},
		{name: "s3:x-amz-storage-class STANDARD", action: po,
			cond: `{"StringNotEqualsIfExists":{"s3:x-amz-storage-class":"STANDARD"}}`,
			req:  putObj().with("X-Amz-Storage-Class", "STANDARD"), want: ok200},
		{name: "s3:x-amz-storage-class absent, IfExists holds", action: po,
			cond: `{"StringNotEqualsIfExists":{"s3:x-amz-storage-class":"STANDARD"}}`,
			req:  putObj(), want: deny403},
		{name: "s3:x-amz-website-redirect-location", action: po,
			cond: `{"Null":{"s3:x-amz-website-redirect-location":"false"}}`,
			req:  putObj().with("X-Amz-Website-Redirect-Location", "/elsewhere"), want: deny403},
		{name: "s3:x-amz-server-side-encryption-aws-kms-key-id sent empty", action: po,
			cond: `{"Null":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"false"}}`,
			req:  putObj().with("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", ""),
			want: deny403},
		{name: "s3:ObjectCreationOperation on PutObject", action: po,
			cond: `{"Bool":{"s3:ObjectCreationOperation":"true"}}`, req: putObj(),
			want: deny403},
		{name: "s3:ObjectCreationOperation absent on GetObject", action: "s3:*",
			cond: `{"Bool":{"s3:ObjectCreationOperation":"true"}}`, req: getObj(), want: ok200},
	}
	for _, g := range []string{"full-control", "read", "read-acp", "write", "write-acp"} {
		cs = append(cs, keyCase{name: "s3:x-amz-grant-" + g, action: po,
			cond: `{"Null":{"s3:x-amz-grant-` + g + `":"false"}}`,
			req:  putObj().with("X-Amz-Grant-"+g, `id="1234abcd"`), want: deny403})
	}
	return append(append(cs, writeOnceCases()...), tagAndLockCases()...)
}

// sdkPut uploads with the SDK, asking for sse unless it is "".
func sdkPut(sse types.ServerSideEncryption) func(*s3.Client, string) error {
	return func(c *s3.Client, b string) error {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(b),
			Key: aws.String("sdk"), Body: strings.NewReader("data"), ServerSideEncryption: sse})
		return err
	}
}

// writeOnceCases covers the conditional write keys: a policy that requires
// If-None-Match lets a create-only write through, and the store then keeps
// the promise by refusing to replace an existing key.
func writeOnceCases() []keyCase {
	const po = "s3:PutObject"
	writeOnce := `{"Null":{"s3:if-none-match":"true"},` +
		`"Bool":{"s3:ObjectCreationOperation":"true"}}`
	overwrite := probe{method: http.MethodPut, key: "obj", body: "data"}
	return []keyCase{
		{name: "write-once policy, unconditional PutObject", action: po, layer: bucketLayer,
			cond: writeOnce, req: putObj(), want: deny403},
		{name: "write-once policy, If-None-Match", action: po, layer: bucketLayer,
			cond: writeOnce, req: putObj().with("If-None-Match", "*"), want: ok200},
		{name: "write-once policy, If-None-Match on an existing key", action: po,
			layer: bucketLayer, cond: writeOnce, req: overwrite.with("If-None-Match", "*"),
			want: pre412, code: "PreconditionFailed"},
		{name: "write-once policy, unconditional overwrite", action: po, layer: bucketLayer,
			cond: writeOnce, req: overwrite, want: deny403},
		{name: "write-once policy, GetObject", action: "s3:*", layer: bucketLayer,
			cond: writeOnce, req: getObj(), want: ok200},
		{name: "s3:if-match on PutObject", action: po,
			cond: `{"StringEquals":{"s3:if-match":"\"abc\""}}`,
			req:  putObj().with("If-Match", `"abc"`), want: deny403},
	}
}

// tagAndLockCases covers the object tag and Object Lock keys of PutObject.
func tagAndLockCases() []keyCase {
	const po = "s3:PutObject"
	in := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	days := `{"NumericGreaterThan":{"s3:object-lock-remaining-retention-days":"10"}}`
	lock := func(until string) probe {
		return putObj().with("X-Amz-Object-Lock-Mode", "GOVERNANCE").
			with("X-Amz-Object-Lock-Retain-Until-Date", until)
	}
	return []keyCase{
		{name: "s3:RequestObjectTag/team blue", action: po, layer: bucketLayer,
			cond: `{"StringEquals":{"s3:RequestObjectTag/team":"blue"}}`,
			req:  putObj().with("X-Amz-Tagging", "team=blue&env=prod"), want: deny403},
		{name: "s3:RequestObjectTag/team red", action: po, layer: bucketLayer,
			cond: `{"StringEquals":{"s3:RequestObjectTag/team":"blue"}}`,
			req:  putObj().with("X-Amz-Tagging", "team=red"), want: ok200},
		{name: "s3:RequestObjectTagKeys any secret", action: po,
			cond: `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":"secret"}}`,
			req:  putObj().with("X-Amz-Tagging", "env=prod&secret=1"), want: deny403},
		{name: "s3:RequestObjectTagKeys absent", action: po,
			cond: `{"Null":{"s3:RequestObjectTagKeys":"true"}}`, req: putObj(), want: deny403},
		{name: "s3:RequestObjectTagKeys empty header", action: po,
			cond: `{"Null":{"s3:RequestObjectTagKeys":"true"}}`,
			req:  putObj().with("X-Amz-Tagging", ""), want: ok200},
		{name: "x-amz-tagging naming a key twice", action: po,
			cond: `{"Null":{"s3:RequestObjectTagKeys":"true"}}`,
			req:  putObj().with("X-Amz-Tagging", "a=1&a=2"), want: bad400,
			code: "InvalidArgument"},
		{name: "x-amz-tagging with eleven tags", action: po,
			cond: `{"Null":{"s3:RequestObjectTagKeys":"true"}}`,
			req: putObj().with("X-Amz-Tagging",
				"a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"), want: bad400,
			code: "InvalidTag"},
		{name: "x-amz-tagging with a 129-character key", action: po,
			cond: `{"Null":{"s3:RequestObjectTagKeys":"true"}}`,
			req:  putObj().with("X-Amz-Tagging", strings.Repeat("k", 129)+"=v"), want: bad400,
			code: "InvalidTag"},
		{name: "headers over 8 KB", action: po,
			cond: `{"Null":{"aws:UserAgent":"true"}}`,
			req:  putObj().with("User-Agent", strings.Repeat("u", 8<<10)), want: bad400,
			code: "RequestHeaderSectionTooLarge"},
		{name: "s3:object-lock-mode COMPLIANCE", action: po,
			cond: `{"StringEquals":{"s3:object-lock-mode":"COMPLIANCE"}}`,
			req:  putObj().with("X-Amz-Object-Lock-Mode", "COMPLIANCE"), want: deny403},
		{name: "s3:object-lock-mode GOVERNANCE", action: po,
			cond: `{"StringEquals":{"s3:object-lock-mode":"COMPLIANCE"}}`,
			req:  putObj().with("X-Amz-Object-Lock-Mode", "GOVERNANCE"), want: bad400,
			code: "InvalidRequest"},
		{name: "s3:object-lock-remaining-retention-days 30", action: po, cond: days,
			req: lock(in(30 * 24 * time.Hour)), want: deny403},
		{name: "s3:object-lock-remaining-retention-days 5", action: po, cond: days,
			req: lock(in(5 * 24 * time.Hour)), want: bad400, code: "InvalidRequest"},
		{name: "s3:object-lock-retain-until-date", action: po,
			cond: `{"DateGreaterThan":` +
				`{"s3:object-lock-retain-until-date":"2100-01-01T00:00:00Z"}}`,
			req: lock("2200-01-01T00:00:00Z"), want: deny403},
		{name: "s3:object-lock-legal-hold", action: po,
			cond: `{"StringEquals":{"s3:object-lock-legal-hold":"ON"}}`,
			req:  putObj().with("X-Amz-Object-Lock-Legal-Hold", "ON"), want: deny403},
		{name: "s3:object-lock-mode absent", action: po,
			cond: `{"Null":{"s3:object-lock-mode":"false"}}`, req: putObj(), want: ok200},
	}
}

// objectKeyCases covers reads and deletes: s3:versionid and s3:if-match.
func objectKeyCases() []keyCase {
	version := `{"StringEquals":{"s3:versionid":"null"}}`
	return []keyCase{
		{name: "s3:versionid on GetObjectVersion", action: "s3:GetObjectVersion",
			cond: version, req: getObj().q("versionId=null"), want: deny403},
		{name: "s3:versionid on HeadObject of a version", action: "s3:GetObjectVersion",
			cond: version, req: headObj().q("versionId=null"), want: deny403},
		{name: "s3:versionid absent on GetObject", action: "s3:GetObject",
			cond: `{"Null":{"s3:versionid":"false"}}`, req: getObj(), want: ok200},
		{name: "GetObject carries no list keys", action: "s3:GetObject",
			cond: `{"Null":{"s3:prefix":"false"}}`, req: getObj().q("prefix=x"), want: ok200},
		{name: "s3:if-match on DeleteObject", action: "s3:DeleteObject",
			cond: `{"Null":{"s3:if-match":"false"}}`, req: delObj().with("If-Match", `"x"`),
			want: deny403},
		{name: "s3:if-match absent on DeleteObject", action: "s3:DeleteObject",
			cond: `{"Null":{"s3:if-match":"false"}}`, req: delObj(), want: ok204},
		{name: "conditional DeleteObject evaluated once allowed", action: "s3:DeleteObject",
			cond: `{"StringEquals":{"s3:if-match":"\"other\""}}`,
			req:  delObj().with("If-Match", `"x"`), want: pre412, code: "PreconditionFailed"},
		{name: "s3:versionid on DeleteObjectVersion", action: "s3:DeleteObjectVersion",
			cond: version, req: delObj().q("versionId=null"), want: deny403},
		{name: "DeleteObject is not DeleteObjectVersion", action: "s3:DeleteObjectVersion",
			cond: version, req: delObj(), want: ok204},
		{name: "s3:ExistingObjectTag absent on an untagged object", action: "s3:GetObject",
			cond: `{"Null":{"s3:ExistingObjectTag/team":"false"}}`, req: getObj(),
			want: ok200},
		{name: "s3:RequestObjectTag on PutObjectTagging", action: "s3:PutObjectTagging",
			cond: `{"StringEquals":{"s3:RequestObjectTag/team":"red"}}`,
			req: probe{method: http.MethodPut, key: "obj", query: "tagging",
				body: tagDoc("team", "red")}, want: deny403},
		{name: "s3:RequestObjectTagKeys empty on PutObjectTagging", action: "s3:PutObjectTagging",
			cond: `{"Null":{"s3:RequestObjectTagKeys":"false"}}`,
			req: probe{method: http.MethodPut, key: "obj", query: "tagging",
				body: tagDoc()}, want: deny403},
		{name: "s3:prefix on ListObjectVersions", action: "s3:ListBucketVersions",
			cond: `{"StringEquals":{"s3:prefix":"a/"}}`, req: ls().q("versions&prefix=a%2F"),
			want: deny403},
		{name: "s3:max-keys absent on ListObjectVersions", action: "s3:ListBucketVersions",
			cond: `{"Null":{"s3:max-keys":"false"}}`, req: ls().q("versions"), want: ok200},
	}
}

// bucketKeyCases covers CreateBucket's keys, which only identity policies
// can test, and the common keys on the other bucket operations.
func bucketKeyCases() []keyCase {
	const cb = "s3:CreateBucket"
	notEU := `{"StringNotEquals":{"s3:LocationConstraint":"eu-west-1"}}`
	lcSent := `{"Null":{"s3:LocationConstraint":"false"}}`
	emptyHash := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	policyBody := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"AWS":"111111111111"},"Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::{bucket}/*"}]}`
	return []keyCase{
		{name: "s3:LocationConstraint eu-west-1", action: cb, cond: notEU, create: true,
			req: createBucket("eu-west-1", lcBody("<LocationConstraint>eu-west-1"+
				"</LocationConstraint>")), want: ok200},
		{name: "s3:LocationConstraint absent without body", action: cb, cond: notEU,
			create: true, req: createBucket("", ""), want: deny403},
		{name: "s3:LocationConstraint absent, Null", action: cb, cond: lcSent, create: true,
			req: createBucket("", ""), want: ok200},
		{name: "s3:LocationConstraint empty element", action: cb, cond: lcSent, create: true,
			req:  createBucket("", lcBody("<LocationConstraint></LocationConstraint>")),
			want: deny403},
		{name: "CreateBucket s3:x-amz-acl", action: cb, create: true,
			cond: `{"StringEquals":{"s3:x-amz-acl":"public-read"}}`,
			req:  createBucket("", "").with("X-Amz-Acl", "public-read"), want: deny403},
		{name: "s3:x-amz-object-ownership ObjectWriter", action: cb, create: true,
			cond: `{"StringNotEqualsIfExists":{"s3:x-amz-object-ownership":` +
				`"BucketOwnerEnforced"}}`,
			req:  createBucket("", "").with("X-Amz-Object-Ownership", "ObjectWriter"),
			want: deny403},
		{name: "s3:x-amz-object-ownership BucketOwnerEnforced", action: cb, create: true,
			cond: `{"StringNotEqualsIfExists":{"s3:x-amz-object-ownership":` +
				`"BucketOwnerEnforced"}}`,
			req:  createBucket("", "").with("X-Amz-Object-Ownership", "BucketOwnerEnforced"),
			want: ok200},
		{name: "s3:x-amz-object-ownership absent, IfExists holds", action: cb, create: true,
			cond: `{"StringNotEqualsIfExists":{"s3:x-amz-object-ownership":` +
				`"BucketOwnerEnforced"}}`, req: createBucket("", ""), want: deny403},
		{name: "CreateBucket s3:x-amz-grant-full-control", action: cb, create: true,
			cond: `{"Null":{"s3:x-amz-grant-full-control":"false"}}`,
			req:  createBucket("", "").with("X-Amz-Grant-Full-Control", `id="1234abcd"`),
			want: deny403},
		{name: "CreateBucket carries no object keys", action: cb, create: true,
			cond: `{"Null":{"s3:x-amz-server-side-encryption":"false"}}`,
			req:  createBucket("", "").with("X-Amz-Server-Side-Encryption", "AES256"), want: ok200},
		{name: "DeleteBucket s3:authType", action: "s3:DeleteBucket", empty: true,
			cond: `{"StringEquals":{"s3:authType":"REST-HEADER"}}`,
			req:  bucketOp(http.MethodDelete, ""), want: deny403},
		{name: "DeleteBucket allowed", action: "s3:DeleteBucket", empty: true,
			cond: `{"Null":{"s3:prefix":"false"}}`, req: bucketOp(http.MethodDelete, ""),
			want: ok204},
		{name: "HeadBucket s3:ResourceAccount", action: "s3:ListBucket",
			cond: `{"StringEquals":{"s3:ResourceAccount":"111111111111"}}`,
			req:  bucketOp(http.MethodHead, ""), want: deny403},
		{name: "GetBucketLocation s3:x-amz-content-sha256", action: "s3:GetBucketLocation",
			cond: `{"StringEquals":{"s3:x-amz-content-sha256":"` + emptyHash + `"}}`,
			req:  bucketOp(http.MethodGet, "location"), want: deny403},
		{name: "GetBucketLocation s3:signatureversion", action: "s3:GetBucketLocation",
			cond: `{"Null":{"s3:signatureversion":"true"}}`,
			req:  bucketOp(http.MethodGet, "location"), want: ok200},
		{name: "GetBucketPolicy aws:SecureTransport", action: "s3:GetBucketPolicy",
			cond: `{"Bool":{"aws:SecureTransport":"false"}}`,
			req:  bucketOp(http.MethodGet, "policy"), want: deny403,
			tlsWant: http.StatusNotFound, code: "NoSuchBucketPolicy"},
		{name: "PutBucketPolicy s3:TlsVersion", action: "s3:PutBucketPolicy",
			cond: `{"Null":{"s3:TlsVersion":"true"}}`,
			req:  probe{method: http.MethodPut, query: "policy", body: policyBody},
			want: deny403, tlsWant: ok204},
		{name: "DeleteBucketPolicy s3:authType presigned", action: "s3:DeleteBucketPolicy",
			cond: `{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}`,
			req:  bucketOp(http.MethodDelete, "policy").as(byQuery), want: deny403},
		{name: "ListBuckets s3:ResourceAccount", action: "s3:ListAllMyBuckets",
			cond: `{"StringEquals":{"s3:ResourceAccount":"111111111111"}}`,
			req:  probe{method: http.MethodGet, service: true}, want: deny403},
		{name: "ListBuckets carries no list keys", action: "s3:ListAllMyBuckets",
			cond: `{"Null":{"s3:prefix":"false"}}`,
			req:  probe{method: http.MethodGet, service: true, query: "prefix=ck"}, want: ok200},
	}
}

// goldenSamples are the requests of TestConditionKeysGolden, in order: one
// per operation, some with every key the operation can carry.
func goldenSamples() []goldenSample {
	put := probe{method: http.MethodPut, key: "golden/plain", body: "plain"}
	full := putObj().with("X-Amz-Server-Side-Encryption", "AES256").
		with("X-Amz-Acl", "bucket-owner-full-control").with("X-Amz-Storage-Class", "STANDARD").
		with("X-Amz-Grant-Read", `id="1234abcd"`).with("X-Amz-Tagging", "Team=Blue&env=").
		with("X-Amz-Website-Redirect-Location", "/elsewhere").with("If-None-Match", "*").
		with("X-Amz-Object-Lock-Mode", "GOVERNANCE").
		with("X-Amz-Object-Lock-Retain-Until-Date", "2100-01-01T00:00:00Z").
		with("X-Amz-Object-Lock-Legal-Hold", "OFF").with("Referer", "https://example.com/")
	create := createBucket("eu-west-1", lcBody("<LocationConstraint>eu-west-1"+
		"</LocationConstraint>")).with("X-Amz-Acl", "private").
		with("X-Amz-Object-Ownership", "BucketOwnerEnforced")
	policyBody := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"AWS":"111111111111"},"Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::dev-main/*"}]}`
	a := &alice
	return []goldenSample{
		{"ListBuckets", a, "", probe{method: http.MethodGet, service: true}, ok200},
		{"CreateBucket", a, "ck-golden", create, ok200},
		{"HeadBucket", a, "dev-main", bucketOp(http.MethodHead, ""), ok200},
		{"GetBucketLocation", a, "dev-main", bucketOp(http.MethodGet, "location"), ok200},
		{"ListObjects", a, "dev-main", ls().q("prefix=&delimiter=%2F"), ok200},
		{"ListObjectsV2", a, "dev-main", ls().q("list-type=2&prefix=Docs%2F&max-keys=5"),
			ok200},
		{"PutBucketPolicy", a, "dev-main",
			probe{method: http.MethodPut, query: "policy", body: policyBody}, ok204},
		{"GetBucketPolicy", a, "dev-main", bucketOp(http.MethodGet, "policy"), ok200},
		{"DeleteBucketPolicy", a, "dev-main", bucketOp(http.MethodDelete, "policy"),
			ok204},
		{"PutObject", a, "dev-main", put, ok200},
		{"PutObject with every key", a, "dev-main", full, bad400},
		{"GetObject", a, "dev-main", probe{method: http.MethodGet, key: "golden/plain"}, ok200},
		{"GetObject presigned", a, "dev-main",
			probe{method: http.MethodGet, key: "golden/plain", auth: byQuery}, ok200},
		{"GetObject anonymous", nil, "dev-shared",
			probe{method: http.MethodGet, key: "public/missing"}, deny403},
		{"GetObjectVersion", a, "dev-main",
			probe{method: http.MethodGet, key: "golden/plain", query: "versionId=null"}, ok200},
		{"HeadObject", a, "dev-main", probe{method: http.MethodHead, key: "golden/plain"}, ok200},
		{"PutObjectTagging", a, "dev-main", probe{method: http.MethodPut, key: "golden/plain",
			query: "tagging", body: tagDoc("team", "blue", "env", "")}, ok200},
		{"GetObjectTagging", a, "dev-main",
			probe{method: http.MethodGet, key: "golden/plain", query: "tagging"}, ok200},
		{"GetObjectVersionTagging", a, "dev-main", probe{method: http.MethodGet,
			key: "golden/plain", query: "tagging&versionId=null"}, ok200},
		{"GetObject of a tagged object", a, "dev-main",
			probe{method: http.MethodGet, key: "golden/plain"}, ok200},
		{"DeleteObjectTagging", a, "dev-main",
			probe{method: http.MethodDelete, key: "golden/plain", query: "tagging"}, ok204},
		{"PutBucketTagging", a, "dev-main", probe{method: http.MethodPut, query: "tagging",
			body: tagDoc("cost", "42")}, ok204},
		{"GetBucketTagging", a, "dev-main", bucketOp(http.MethodGet, "tagging"), ok200},
		{"DeleteBucketTagging", a, "dev-main", bucketOp(http.MethodDelete, "tagging"), ok204},
		{"PutBucketVersioning", a, "dev-main", probe{method: http.MethodPut,
			query: "versioning", body: "<VersioningConfiguration><Status>Enabled</Status>" +
				"</VersioningConfiguration>"}, ok200},
		{"GetBucketVersioning", a, "dev-main", bucketOp(http.MethodGet, "versioning"), ok200},
		{"ListObjectVersions", a, "dev-main",
			ls().q("versions&prefix=golden%2F&delimiter=%2F&max-keys=5"), ok200},
		{"DeleteObject", a, "dev-main", probe{method: http.MethodDelete, key: "golden/plain"},
			ok204},
		{"DeleteObjectVersion", a, "dev-main",
			probe{method: http.MethodDelete, key: "golden/x", query: "versionId=null"},
			ok204},
		{"DeleteBucket", a, "ck-golden",
			probe{method: http.MethodDelete, region: "eu-west-1"}, ok204},
	}
}
