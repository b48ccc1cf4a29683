package notify

import "fmt"

// ConfigErrorKind says what is wrong with a configuration.
type ConfigErrorKind int

// What Check refuses.
const (
	ErrDestination   ConfigErrorKind = iota + 1 // Value: the ARN
	ErrEvent                                    // Value: the event name
	ErrNoEvent                                  // Value: the configuration's ARN
	ErrRuleName                                 // Value: the rule name
	ErrRuleTwice                                // Value: the rule name
	ErrOverlap                                  // Value: the two ids
	ErrDuplicateID                              // Value: the id
	ErrIDTooLong                                // Value: the id
	ErrTooMany                                  // Value: how many
	ErrTooManyEvents                            // Value: the configuration's ARN
	ErrRuleTooLong                              // Value: the rule name
)

// ConfigError is Check's refusal of a configuration. Message is S3's
// wording, safe to send to the client; Value names the part at fault.
type ConfigError struct {
	Kind  ConfigErrorKind
	Value string
}

// configMessages are the messages for each kind, in S3's words where S3
// has a message for it.
var configMessages = map[ConfigErrorKind]string{
	ErrDestination: "Unable to validate the following destination configurations",
	ErrEvent:       "The event is not supported for notifications",
	ErrNoEvent:     "A notification configuration needs at least one event",
	ErrRuleName:    "filter rule name must be either prefix or suffix",
	ErrRuleTwice:   "Cannot specify more than one %s rule in a filter.",
	ErrOverlap: "Configuration is ambiguously defined. Cannot have overlapping " +
		"suffixes in two rules if the prefixes are overlapping for the same event type.",
	ErrDuplicateID: "Notification configuration ids must be unique",
	ErrIDTooLong:   "A notification configuration id is at most 255 characters",
	ErrTooMany:     "Too many notification configurations: a bucket has at most 100.",
	ErrTooManyEvents: "Too many events in a notification configuration: " +
		"at most 64.",
	ErrRuleTooLong: "The value of the %s filter rule is too long: at most 1024 " +
		"bytes, the longest key.",
}

// Message is the client-facing text.
func (e *ConfigError) Message() string {
	if e.Kind == ErrRuleTwice || e.Kind == ErrRuleTooLong {
		return fmt.Sprintf(configMessages[e.Kind], e.Value)
	}
	return configMessages[e.Kind]
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("notify: %s: %s", e.Message(), e.Value)
}
