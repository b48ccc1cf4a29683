package orgapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// readBody reads the whole (verified) request body.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errorf(Serialization, "The request body exceeds the maximum of %d bytes.",
			tooBig.Limit-1)
	}
	if err != nil {
		return nil, err // a failed payload check or a broken connection
	}
	return data, nil
}

// decode parses body, a JSON object or nothing, into v. Members v does not
// name are ignored, as AWS ignores them; a member of the wrong type, a
// body that is not one JSON object, or a duplicated member is a
// SerializationException.
func decode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return errorf(Serialization, "The request body must be a JSON object.")
	}
	if err := checkDuplicates(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return &Error{Code: Serialization, Message: serializationMessage(err), Cause: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(Serialization, "The request body holds more than one JSON value.")
	}
	return nil
}

// serializationMessage words a decoding error without echoing the body.
func serializationMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "The member " + truncate(te.Field) + " has the wrong type: expected " +
			te.Type.String() + "."
	}
	return "The request body is not valid JSON."
}

// checkDuplicates refuses a top-level member given twice: encoding/json
// would keep the last, another reader the first.
func checkDuplicates(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the opening brace
		return errorf(Serialization, "The request body is not valid JSON.")
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errorf(Serialization, "The request body is not valid JSON.")
		}
		name, _ := tok.(string)
		if seen[name] {
			return errorf(Serialization, "The member %s is given twice.",
				strconv.Quote(truncate(name)))
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return errorf(Serialization, "The request body is not valid JSON.")
		}
	}
	return nil
}

// respond sends v as the action's JSON answer.
func respond(rq *request, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeJSON(rq.w, 200, body)
	return nil
}
