package mongodb

import (
	"strings"
	"testing"
	"time"
)

func TestConnectUnreachableFailsFast(t *testing.T) {
	start := time.Now()
	_, err := Connect(t.Context(), Config{Name: "mongo", URI: "mongodb://weir:hunter2@127.0.0.1:1/?connect=direct", ConnectTimeout: 2 * time.Second})
	took := time.Since(start)
	if err == nil {
		t.Fatal("connected to 127.0.0.1:1")
	}
	if took > 4*time.Second {
		t.Errorf("took %s to fail with a 2s timeout", took)
	}
	msg := err.Error()
	for _, want := range []string{`mongodb connection "mongo"`, "127.0.0.1:1", "within 2s"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error %q shows the password", msg)
	}
}

func TestConfigRedacts(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"mongodb://u:secret@h1:27017,h2:27017/db?authMechanismProperties=AWS_SESSION_TOKEN:tok&w=1",
			"mongodb://u:xxxxx@h1:27017,h2:27017/db?authMechanismProperties=xxxxx&w=1"},
		{"mongodb+srv://u:p%40ss@cluster0.example.net/?retryWrites=true", "mongodb+srv://u:xxxxx@cluster0.example.net/?retryWrites=true"},
		{"mongodb://localhost:27017", "mongodb://localhost:27017"},
		{"mongodb://user@localhost", "mongodb://user@localhost"},
	} {
		got := Redact(tc.uri)
		if got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.uri, got, tc.want)
		}
		if s := (Config{URI: tc.uri}).String(); !strings.Contains(s, tc.want) || strings.Contains(s, "secret") || strings.Contains(s, "tok") {
			t.Errorf("String() = %q", s)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"", "a URI is required"},
		{"postgres://u:pw@h/db", "is not a MongoDB URI"},
		{"mongodb://u:pw@h:notaport/", "invalid URI"},
		{"mongodb://h/?connectTimeoutMS=abc", "invalid URI"},
	} {
		_, err := (Config{URI: tc.uri}).validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("validate(%q) = %v, want an error saying %q", tc.uri, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("validate(%q) shows the password: %v", tc.uri, err)
		}
	}
	if _, err := (Config{URI: "mongodb+srv://u:pw@cluster0.example.net/?tls=true&srvMaxHosts=2"}).validate(); err != nil {
		t.Errorf("a valid SRV URI: %v", err)
	}
}
