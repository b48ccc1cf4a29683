package s3api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

var devBuckets = []string{"dev-eu", "dev-locked", "dev-main", "dev-named", "dev-shared"}

func TestListBuckets(t *testing.T) {
	tests := []struct {
		name string
		p    principal
		want []string
		code string
	}{
		{"owner root", devRoot, devBuckets, ""},
		{"owner user", alice, devBuckets, ""},
		{"other org account", prdRoot, []string{"prd-data"}, ""},
		{"outside org user with s3:*", outsider, []string{"out-data"}, ""},
		{"user granted on arn:aws:s3:::* as AWS's examples do", lister, devBuckets, ""},
		{"user granted on a bucket pattern only", reader, nil, "AccessDenied"},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, err := e.s3(tt.p).ListBuckets(context.Background(), &s3.ListBucketsInput{})
				if tt.code != "" {
					wantErr(t, err, tt.code, http.StatusForbidden)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, b := range out.Buckets {
					got = append(got, aws.ToString(b.Name))
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("buckets %q, want %q", got, tt.want)
				}
			})
		}
	})
}

func TestCreateBucketInvalidName(t *testing.T) {
	names := []struct{ name, bucket string }{
		{"too short", "ab"},
		{"too long", strings.Repeat("a", 64)},
		{"upper case", "Dev-Upper"},
		{"underscore", "dev_under"},
		{"adjacent periods", "dev..main"},
		{"ip address", "192.168.5.4"},
		{"starts with hyphen", "-dev"},
		{"ends with hyphen", "dev-"},
		{"xn-- prefix", "xn--dev"},
		{"-s3alias suffix", "dev-s3alias"},
	}
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		for _, tt := range names {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{
					Bucket: aws.String(tt.bucket)})
				wantErr(t, err, "InvalidBucketName", http.StatusBadRequest)
			})
		}
	})
}

// TestCreateBucket runs its steps in order on one server.
func TestCreateBucket(t *testing.T) {
	euConfig := &types.CreateBucketConfiguration{
		LocationConstraint: types.BucketLocationConstraintEuWest1}
	steps := []struct {
		name   string
		p      principal
		region string
		bucket string
		cfg    *types.CreateBucketConfiguration
		code   string
		status int
	}{
		{"another account's bucket", prdRoot, "us-east-1", "dev-main", nil,
			"BucketAlreadyExists", 409},
		{"another account's bucket in eu-west-1", prdRoot, "eu-west-1", "dev-eu", euConfig,
			"BucketAlreadyExists", 409},
		{"own bucket in us-east-1 is 200 for legacy compatibility", devRoot, "us-east-1",
			"dev-main", nil, "", 200},
		{"own bucket in eu-west-1", devRoot, "eu-west-1", "dev-eu", euConfig,
			"BucketAlreadyOwnedByYou", 409},
		{"own bucket in eu-west-1 by a user", alice, "eu-west-1", "dev-eu", euConfig,
			"BucketAlreadyOwnedByYou", 409},
		{"new bucket", alice, "us-east-1", "dev-new", nil, "", 200},
		{"new bucket again", alice, "us-east-1", "dev-new", nil, "", 200},
		{"new bucket in eu-west-1", alice, "eu-west-1", "dev-new-eu", euConfig, "", 200},
		{"new bucket in eu-west-1 again", devRoot, "eu-west-1", "dev-new-eu", euConfig,
			"BucketAlreadyOwnedByYou", 409},
		{"user without s3:CreateBucket", reader, "us-east-1", "dev-reader", nil,
			"AccessDenied", 403},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, st := range steps {
			ok := t.Run(st.name, func(t *testing.T) {
				c := e.s3(st.p, func(o *s3.Options) { o.Region = st.region })
				_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{
					Bucket: aws.String(st.bucket), CreateBucketConfiguration: st.cfg})
				if st.code == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				wantErr(t, err, st.code, st.status)
			})
			if !ok {
				return
			}
		}
		t.Run("listed with regions", func(t *testing.T) {
			out, err := e.s3(devRoot).ListBuckets(context.Background(), &s3.ListBucketsInput{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, b := range out.Buckets {
				got[aws.ToString(b.Name)] = aws.ToString(b.BucketRegion)
			}
			if got["dev-new"] != "us-east-1" || got["dev-new-eu"] != "eu-west-1" ||
				len(got) != len(devBuckets)+2 {
				t.Errorf("buckets %v", got)
			}
		})
		t.Run("anonymous", func(t *testing.T) {
			resp, b := e.do(t, signed(t, nil, "", http.MethodPut, e.objectURL("dev-anon", ""),
				nil, nil))
			checkErrorBody(t, resp, b, "AccessDenied", http.StatusForbidden)
		})
	})
}

func TestGetBucketLocation(t *testing.T) {
	tests := []struct {
		name   string
		p      principal
		bucket string
		want   string
		code   string
		status int
	}{
		{"us-east-1 is empty", alice, "dev-main", "", "", 0},
		{"eu-west-1", alice, "dev-eu", "eu-west-1", "", 0},
		{"no such bucket", alice, "dev-none", "", "NoSuchBucket", 404},
		{"other account", outsider, "dev-main", "", "AccessDenied", 403},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, err := e.s3(tt.p).GetBucketLocation(context.Background(),
					&s3.GetBucketLocationInput{Bucket: aws.String(tt.bucket)})
				if tt.code != "" {
					wantErr(t, err, tt.code, tt.status)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := string(out.LocationConstraint); got != tt.want {
					t.Errorf("location %q, want %q", got, tt.want)
				}
			})
		}
	})
}

func TestHeadBucket(t *testing.T) {
	tests := []struct {
		name   string
		p      principal
		bucket string
		status int // 0: success
		region string
	}{
		{"owner", alice, "dev-main", 0, "us-east-1"},
		{"cross-account allowed by both policies", delegate, "dev-shared", 0, "us-east-1"},
		{"missing", alice, "dev-none", 404, ""},
		{"other account's bucket", outsider, "dev-main", 403, ""},
		{"same account without a grant", nobody, "dev-main", 403, ""},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, err := e.s3(tt.p).HeadBucket(context.Background(),
					&s3.HeadBucketInput{Bucket: aws.String(tt.bucket)})
				if tt.status != 0 {
					wantErr(t, err, "", tt.status)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := aws.ToString(out.BucketRegion); got != tt.region {
					t.Errorf("x-amz-bucket-region %q, want %q", got, tt.region)
				}
			})
		}
	})
}

const readAllPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadAll",` +
	`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},` +
	`"Action":"s3:GetObject","Resource":"arn:aws:s3:::dev-main/*"}]}`

func TestBucketPolicyLifecycle(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.s3(alice)
		bucket := aws.String("dev-main")
		_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
		wantErr(t, err, "NoSuchBucketPolicy", http.StatusNotFound)
		put(t, c, "dev-main", "doc", "x")
		if _, err := get(e.s3(prdRoot), "dev-main", "doc"); errCode(err) != "AccessDenied" {
			t.Fatalf("prd root before the policy: %v, want AccessDenied", err)
		}
		_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket,
			Policy: aws.String(readAllPolicy)})
		if err != nil {
			t.Fatalf("put policy: %v", err)
		}
		out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
		if err != nil {
			t.Fatalf("get policy: %v", err)
		}
		if !jsonEqual(t, aws.ToString(out.Policy), readAllPolicy) {
			t.Errorf("policy %s, want %s", aws.ToString(out.Policy), readAllPolicy)
		}
		if got, err := get(e.s3(prdRoot), "dev-main", "doc"); err != nil || got != "x" {
			t.Errorf("prd root with the policy: %q, %v", got, err)
		}
		if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{
			Bucket: bucket}); err != nil {
			t.Fatalf("delete policy: %v", err)
		}
		_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
		wantErr(t, err, "NoSuchBucketPolicy", http.StatusNotFound)
		_, err = e.s3(outsider).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket,
			Policy: aws.String(readAllPolicy)})
		wantErr(t, err, "AccessDenied", http.StatusForbidden)
	})
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("not JSON: %v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// stmt wraps one statement in a policy document.
func stmt(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }

func TestMalformedPolicy(t *testing.T) {
	tests := []struct {
		name, doc string
		message   string // the message must contain this
	}{
		{"not JSON", `{"Version":`, "Invalid policy syntax"},
		{"not an object", `["x"]`, "Invalid policy syntax"},
		{"invalid effect", stmt(`{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject",` +
			`"Resource":"arn:aws:s3:::dev-main/*"}`), "Invalid effect"},
		{"missing principal", stmt(`{"Effect":"Allow","Action":"s3:GetObject",` +
			`"Resource":"arn:aws:s3:::dev-main/*"}`), "Missing required field Principal"},
		{"invalid action", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:Fly",` +
			`"Resource":"arn:aws:s3:::dev-main/*"}`), "Policy has invalid action"},
		{"resource of another bucket", stmt(`{"Effect":"Allow","Principal":"*",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::prd-data/*"}`),
			"Policy has invalid resource"},
		{"invalid condition operator", stmt(`{"Effect":"Allow","Principal":"*",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::dev-main/*",` +
			`"Condition":{"StringLooksLike":{"aws:SourceIp":"x"}}}`), "Invalid Condition type"},
		{"invalid principal", stmt(`{"Effect":"Allow","Principal":{"AWS":"nobody"},` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::dev-main/*"}`),
			"Invalid principal in policy"},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
			`"Resource":"arn:aws:s3:::dev-main/*"},` +
			`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
			`"Resource":"arn:aws:s3:::dev-main/*"}]}`, "Statement IDs (SID)"},
	}
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{
					Bucket: aws.String("dev-main"), Policy: aws.String(tt.doc)})
				wantErr(t, err, "MalformedPolicy", http.StatusBadRequest)
				if err != nil && !strings.Contains(err.Error(), tt.message) {
					t.Errorf("message of %v does not contain %q", err, tt.message)
				}
			})
		}
	})
}

// TestLockedBucketPolicy checks that the owner's root user can always read,
// replace and remove a bucket policy that denies everyone everything.
func TestLockedBucketPolicy(t *testing.T) {
	denyAll := stmt(`{"Sid":"StillLocked","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::dev-locked","arn:aws:s3:::dev-locked/*"]}`)
	locked := aws.String("dev-locked")
	ctx := context.Background()
	type step struct {
		name string
		p    principal
		call func(c *s3.Client) error
		code string
	}
	getPolicy := func(c *s3.Client) error {
		_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: locked})
		return err
	}
	putPolicy := func(c *s3.Client) error {
		_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: locked,
			Policy: aws.String(denyAll)})
		return err
	}
	deletePolicy := func(c *s3.Client) error {
		_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: locked})
		return err
	}
	list := func(c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: locked})
		return err
	}
	steps := []step{
		{"user cannot read the policy", alice, getPolicy, "AccessDenied"},
		{"user cannot delete the policy", alice, deletePolicy, "AccessDenied"},
		{"root cannot list", devRoot, list, "AccessDenied"},
		{"other account's root cannot read the policy", prdRoot, getPolicy, "AccessDenied"},
		{"root reads the policy", devRoot, getPolicy, ""},
		{"root replaces the policy", devRoot, putPolicy, ""},
		{"still locked", alice, list, "AccessDenied"},
		{"root deletes the policy", devRoot, deletePolicy, ""},
		{"user lists again", alice, list, ""},
		{"no policy left", devRoot, getPolicy, "NoSuchBucketPolicy"},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, st := range steps {
			ok := t.Run(st.name, func(t *testing.T) {
				err := st.call(e.s3(st.p))
				if st.code == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				if got := errCode(err); got != st.code {
					t.Fatalf("error %v, want %s", err, st.code)
				}
			})
			if !ok {
				return
			}
		}
	})
}

func TestDeleteBucket(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.s3(alice)
		put(t, c, "dev-main", "left/behind", "x")
		_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("dev-main")})
		wantErr(t, err, "BucketNotEmpty", http.StatusConflict)
		_, err = e.s3(outsider).DeleteBucket(ctx,
			&s3.DeleteBucketInput{Bucket: aws.String("dev-main")})
		wantErr(t, err, "AccessDenied", http.StatusForbidden)
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("left/behind")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{
			Bucket: aws.String("dev-main")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("dev-main")})
		wantErr(t, err, "", http.StatusNotFound)
		_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("dev-main")})
		wantErr(t, err, "NoSuchBucket", http.StatusNotFound)
	})
}
