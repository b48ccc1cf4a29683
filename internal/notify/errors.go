package notify

import "fmt"

// ConfigErrorKind says what is wrong with a configuration.
type ConfigErrorKind int

// What Check refuses.
const (
	ErrDestination ConfigErrorKind = iota + 1 // Value: the ARN
	ErrEvent                                  // Value: the event name
	ErrNoEvent                                // Value: the configuration's ARN
	ErrRuleName                               // Value: the rule name
	ErrRuleTwice                              // Value: the rule name
	ErrOverlap                                // Value: the two ids
	ErrDuplicateID                            // Value: the id
	ErrIDTooLong                              // Value: the id
	ErrTooMany                                // Value: how many
)

// ConfigError is Check's refusal of a configuration. Message is S3's
// wording, safe to send to the client; Value names the part at fault.
type ConfigError struct {
	Kind  ConfigErrorKind
	Value string
}

// configMessages are S3's messages for each kind.
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
	ErrTooMany:     "A bucket has at most 100 notification configurations",
}

// Message is the client-facing text.
func (e *ConfigError) Message() string {
	if e.Kind == ErrRuleTwice {
		return fmt.Sprintf(configMessages[e.Kind], e.Value)
	}
	return configMessages[e.Kind]
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("notify: %s: %s", e.Message(), e.Value)
}
