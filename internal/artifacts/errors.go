package artifacts

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// ErrIntegrity is wrapped by the error of Pull when the downloaded bytes do
// not match the object's ETag or length.
var ErrIntegrity = errors.New("artifacts: downloaded bytes do not match the object")

// A CallError is an S3 call that failed.
type CallError struct {
	// Op is the S3 operation, such as ListObjectsV2 or GetObject.
	Op string
	// Resource is what it was called on: s3://bucket/prefix for a listing,
	// s3://bucket/key for an object.
	Resource string
	// Code is the S3 error code, such as AccessDenied or NoSuchBucket;
	// empty when the service gave none (a network error, a timeout).
	Code string
	// Message is the service's message, or the error's text without code.
	Message string
	// Err is the SDK's error.
	Err error
}

func newCallError(op, resource string, err error) *CallError {
	e := &CallError{Op: op, Resource: resource, Message: err.Error(), Err: err}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code, e.Message = api.ErrorCode(), api.ErrorMessage()
	}
	return e
}

// Denied reports whether the service refused the call for lack of
// permission.
func (e *CallError) Denied() bool {
	switch e.Code {
	case "AccessDenied", "Forbidden", "AllAccessDisabled":
		return true
	}
	return false
}

func (e *CallError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("artifacts: %s on %s failed: %s", e.Op, e.Resource, e.Message)
	}
	verb := "failed"
	if e.Denied() {
		verb = "denied"
	}
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("artifacts: %s on %s %s (%s): %s", e.Op, e.Resource, verb, e.Code, msg)
}

func (e *CallError) Unwrap() error { return e.Err }
