package s3catalog

import "strings"

// ARN forms of the resource types, from the reference's resource types
// table. In a form, {seg} stands for a name of at least one character
// holding no slash and no colon (a partition, region, account, bucket or
// access point name, an ID), and {any} for at least one character of any
// kind (an object key).
var arnForms = []struct {
	typ  ResourceType
	form string
}{
	{AccessGrant, "arn:{seg}:s3:{seg}:{seg}:access-grants/default/grant/{seg}"},
	{AccessGrantsInstance, "arn:{seg}:s3:{seg}:{seg}:access-grants/default"},
	{AccessGrantsLocation, "arn:{seg}:s3:{seg}:{seg}:access-grants/default/location/{seg}"},
	{AccessPoint, "arn:{seg}:s3:{seg}:{seg}:accesspoint/{seg}"},
	{AccessPointObject, "arn:{seg}:s3:{seg}:{seg}:accesspoint/{seg}/object/{any}"},
	{Bucket, "arn:{seg}:s3:::{seg}"},
	{Job, "arn:{seg}:s3:{seg}:{seg}:job/{seg}"},
	{MultiRegionAccessPoint, "arn:{seg}:s3::{seg}:accesspoint/{seg}"},
	{MultiRegionAccessPointRequest, "arn:{seg}:s3:us-west-2:{seg}:async-request/mrap/{seg}/{seg}"},
	{Object, "arn:{seg}:s3:::{seg}/{any}"},
	{ObjectLambdaAccessPoint, "arn:{seg}:s3-object-lambda:{seg}:{seg}:accesspoint/{seg}"},
	{StorageLensConfiguration, "arn:{seg}:s3:{seg}:{seg}:storage-lens/{seg}"},
	{StorageLensGroup, "arn:{seg}:s3:{seg}:{seg}:storage-lens-group/{seg}"},
}

// compiled forms, split into their six colon-separated segments.
var formSegs [][6][]item

func init() {
	formSegs = make([][6][]item, len(arnForms))
	for i, f := range arnForms {
		parts := strings.SplitN(f.form, ":", 6)
		for j, p := range parts {
			formSegs[i][j] = compileForm(p)
		}
	}
}

// TypesOf returns the resource types whose ARNs a Resource element value
// can match: "*" matches every type; a pattern, with * and ? wildcards,
// matches the types it has an ARN in common with. variables says that the
// policy substitutes policy variables (Version 2012-10-17): a variable then
// stands for any text. A value that names no S3 resource, such as an IAM
// ARN, yields nil.
func TypesOf(resource string, variables bool) []ResourceType {
	var out []ResourceType
	if resource == "*" {
		for _, f := range arnForms {
			out = append(out, f.typ)
		}
		return out
	}
	segs := splitPattern(compilePattern(resource, variables))
	for i, f := range arnForms {
		if segmentsMeet(segs, formSegs[i]) {
			out = append(out, f.typ)
		}
	}
	return out
}

// segmentsMeet reports whether a pattern's segments and a form's six
// segments have an ARN in common. A pattern of fewer than six segments
// matches its last segment against the rest of the ARN, colons included,
// as the policy engine does.
func segmentsMeet(pat [][]item, form [6][]item) bool {
	if len(pat) > 6 {
		return false
	}
	last := len(pat) - 1
	for i := 0; i < last; i++ {
		if !meet(pat[i], form[i]) {
			return false
		}
	}
	var rest []item
	for i := last; i < 6; i++ {
		if i > last {
			rest = append(rest, item{lit: ':'})
		}
		rest = append(rest, form[i]...)
	}
	return meet(pat[last], rest)
}
