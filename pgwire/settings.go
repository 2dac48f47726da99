package pgwire

import (
	"sort"
	"strings"
)

// serverVersion is what libpq parses (major.minor) to choose its catalog
// queries; weir's own name goes in version().
const serverVersion = "15.0 (weir)"

// versionString is version()'s answer.
const versionString = "PostgreSQL 15.0 (weir streaming SQL engine), compiled by Go"

// reported are the settings PostgreSQL 15 reports with ParameterStatus at
// startup and whenever SET changes them (GUC_REPORT).
var reported = map[string]bool{
	"application_name": true, "client_encoding": true, "datestyle": true,
	"default_transaction_read_only": true, "in_hot_standby": true, "integer_datetimes": true,
	"intervalstyle": true, "is_superuser": true, "server_encoding": true, "server_version": true,
	"session_authorization": true, "standard_conforming_strings": true, "timezone": true,
}

// readOnly settings can be shown but not set.
var readOnly = map[string]bool{
	"server_version": true, "server_encoding": true, "integer_datetimes": true, "is_superuser": true,
	"in_hot_standby": true, "server_version_num": true, "max_identifier_length": true,
}

// settings are a session's SET variables, by lower-cased name; names keeps
// the spelling ParameterStatus uses (DateStyle, TimeZone).
type settings struct {
	vals  map[string]string
	names map[string]string
}

func defaultSettings() *settings {
	s := &settings{vals: map[string]string{}, names: map[string]string{}}
	for _, kv := range [][2]string{
		{"application_name", ""}, {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"},
		{"default_transaction_read_only", "off"}, {"in_hot_standby", "off"}, {"integer_datetimes", "on"},
		{"IntervalStyle", "postgres"}, {"is_superuser", "on"}, {"server_encoding", "UTF8"},
		{"server_version", serverVersion}, {"session_authorization", ""}, {"standard_conforming_strings", "on"},
		{"TimeZone", "UTC"}, {"server_version_num", "150000"}, {"search_path", `"$user", public`},
		{"extra_float_digits", "1"}, {"statement_timeout", "0"}, {"lock_timeout", "0"},
		{"idle_in_transaction_session_timeout", "0"}, {"transaction_isolation", "read committed"},
		{"default_transaction_isolation", "read committed"}, {"max_identifier_length", "63"},
		{"bytea_output", "hex"}, {"client_min_messages", "notice"}, {"lc_messages", "C"},
		{"lc_monetary", "C"}, {"lc_numeric", "C"}, {"lc_time", "C"}, {"row_security", "on"},
	} {
		s.set(kv[0], kv[1])
	}
	return s
}

func (s *settings) set(name, v string) {
	k := strings.ToLower(name)
	if _, ok := s.names[k]; !ok {
		s.names[k] = name
	}
	s.vals[k] = v
}

func (s *settings) get(name string) string { return s.vals[strings.ToLower(name)] }

func (s *settings) has(name string) bool {
	_, ok := s.vals[strings.ToLower(name)]
	return ok
}

// sorted lists the settings by name.
func (s *settings) sorted() []string {
	out := make([]string, 0, len(s.vals))
	for k := range s.vals {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isUTF8(enc string) bool {
	switch strings.ToUpper(strings.Trim(enc, `'" `)) {
	case "UTF8", "UTF-8", "UNICODE", "":
		return true
	}
	return false
}
