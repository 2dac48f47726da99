package kafka

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseURI(t *testing.T) {
	t.Setenv("WEIR_TEST_KAFKA_PASS", "s3cret")
	t.Setenv("WEIR_TEST_KAFKA_EMPTY", "")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte(testCAPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		uri     string
		brokers []string
		check   func(*Config) string
		err     string
	}{
		{uri: "kafka://localhost:9092", brokers: []string{"localhost:9092"}},
		{uri: "kafka://a:1,b:2/", brokers: []string{"a:1", "b:2"}},
		{uri: "kafka://kafka", brokers: []string{"kafka:9092"}},
		{uri: "kafka://[::1]:9093", brokers: []string{"[::1]:9093"}},
		{uri: "kafka://[::1]", brokers: []string{"[::1]:9092"}},
		{uri: "kafka://h:1?dial_timeout=250ms", check: func(c *Config) string {
			return cond(c.DialTimeout == 250*time.Millisecond, "dial_timeout")
		}},
		{uri: "kafka://h:1", check: func(c *Config) string {
			return cond(c.DialTimeout == DefaultDialTimeout && !c.TLS, "defaults")
		}},
		{uri: "kafka://h:1?tls=true", check: func(c *Config) string { return cond(c.TLS, "tls") }},
		{uri: "kafka://h:1?tls_insecure_skip_verify=true", check: func(c *Config) string {
			return cond(c.TLS && c.TLSInsecureSkipVerify, "insecure implies tls")
		}},
		{uri: "kafka://h:1?tls_ca=" + ca, check: func(c *Config) string { return cond(c.TLS && c.caPool != nil, "tls_ca implies tls") }},
		{uri: "kafka://h:1?sasl_mechanism=scram-sha-512&sasl_username=u&sasl_password=env:WEIR_TEST_KAFKA_PASS", check: func(c *Config) string {
			return cond(c.SASLMechanism == ScramSHA512 && c.SASLUsername == "u" && c.SASLPassword.Reveal() == "s3cret", "sasl from env")
		}},

		{uri: "http://h:1", err: `not a kafka://host:port`},
		{uri: "kafka://", err: "no broker address"},
		{uri: "kafka://h:x", err: `port "x" is not a number`},
		{uri: "kafka://h:70000", err: `port "70000"`},
		{uri: "kafka://:9092", err: "has no host"},
		{uri: "kafka://u:p@h:1", err: "credentials in the URI's user part"},
		{uri: "kafka://h:1?bogus=1", err: `unknown option "bogus"`},
		{uri: "kafka://h:1?tls=maybe", err: `tls: "maybe" is not true or false`},
		{uri: "kafka://h:1?tls=false&tls_ca=" + ca, err: "need tls=true"},
		{uri: "kafka://h:1?tls_ca=/nonexistent/ca.pem", err: "tls_ca: open /nonexistent/ca.pem"},
		{uri: "kafka://h:1?tls_ca=" + notPEM, err: "holds no PEM certificate"},
		{uri: "kafka://h:1?sasl_mechanism=GSSAPI&sasl_username=u&sasl_password=p", err: `sasl_mechanism: "GSSAPI" is not one of PLAIN`},
		{uri: "kafka://h:1?sasl_mechanism=PLAIN&sasl_password=p", err: "needs sasl_username"},
		{uri: "kafka://h:1?sasl_mechanism=PLAIN&sasl_username=u", err: "needs sasl_password"},
		{uri: "kafka://h:1?sasl_username=u&sasl_password=p", err: "need sasl_mechanism"},
		{uri: "kafka://h:1?sasl_mechanism=PLAIN&sasl_username=u&sasl_password=env:WEIR_TEST_KAFKA_UNSET", err: "sasl_password: environment variable WEIR_TEST_KAFKA_UNSET is not set"},
		{uri: "kafka://h:1?sasl_mechanism=PLAIN&sasl_username=u&sasl_password=env:WEIR_TEST_KAFKA_EMPTY", err: "WEIR_TEST_KAFKA_EMPTY is empty"},
		{uri: "kafka://h:1?dial_timeout=10", err: `dial_timeout: "10" is not a duration`},
		{uri: "kafka://h:1?dial_timeout=-1s", err: "dial_timeout must be positive"},
		{uri: "kafka://h:1?tls=true&tls=false", err: "option tls is given 2 times"},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			c, err := ParseURI(tc.uri)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.brokers != nil && !slices.Equal(c.Brokers, tc.brokers) {
				t.Errorf("brokers = %v, want %v", c.Brokers, tc.brokers)
			}
			if tc.check != nil {
				if msg := tc.check(c); msg != "" {
					t.Errorf("%s: %+v", msg, c)
				}
			}
		})
	}
}

func cond(ok bool, what string) string {
	if ok {
		return ""
	}
	return what + " not as expected"
}

// TestSecretsNeverPrinted formats a Config every way a log line might and
// checks the password never shows, wherever it came from.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Setenv("WEIR_TEST_KAFKA_PASS", "hunter2-from-env")
	for _, tc := range []struct{ uri, want string }{
		{"kafka://a:1,b:2?sasl_mechanism=PLAIN&sasl_username=alice&sasl_password=hunter2",
			"kafka://a:1,b:2?sasl_mechanism=PLAIN&sasl_password=REDACTED&sasl_username=alice"},
		{"kafka://a:1?sasl_mechanism=PLAIN&sasl_username=alice&sasl_password=env:WEIR_TEST_KAFKA_PASS&tls=true&dial_timeout=3s",
			"kafka://a:1?dial_timeout=3s&sasl_mechanism=PLAIN&sasl_password=env:WEIR_TEST_KAFKA_PASS&sasl_username=alice&tls=true"},
	} {
		c, err := ParseURI(tc.uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.String(); got != tc.want {
			t.Errorf("String() = %s\nwant       %s", got, tc.want)
		}
		for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q", c, *c, *c, c.SASLPassword, c.SASLPassword)} {
			if strings.Contains(s, "hunter2") {
				t.Errorf("password printed: %s", s)
			}
		}
	}
	// A URI that doesn't parse is quoted in the error without its options.
	_, err := ParseURI("kafkaa://h:1?sasl_password=hunter2")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error = %v; want one without the password", err)
	}
}

func TestFromMap(t *testing.T) {
	c, err := FromMap(map[string]string{"brokers": "a:1, b:2", "sasl_mechanism": "PLAIN", "sasl_username": "u", "sasl_password": "p"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Brokers, []string{"a:1", "b:2"}) || c.SASLMechanism != Plain {
		t.Errorf("config = %s", c)
	}
	if _, err := FromMap(map[string]string{"brokers": "a:1", "sasl.mechanism": "PLAIN"}); err == nil || !strings.Contains(err.Error(), `unknown option "sasl.mechanism"; the options are brokers, tls`) {
		t.Errorf("error = %v", err)
	}
	if _, err := FromMap(map[string]string{}); err == nil || !strings.Contains(err.Error(), "no broker address") {
		t.Errorf("error = %v", err)
	}
}

// testCAPEM is a self-signed certificate, only parsed here.
const testCAPEM = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIQIRi6zePL6mKjOipn+dNuaTAKBggqhkjOPQQDAjASMRAw
DgYDVQQKEwdBY21lIENvMB4XDTE3MTAyMDE5NDMwNloXDTE4MTAyMDE5NDMwNlow
EjEQMA4GA1UEChMHQWNtZSBDbzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABD0d
7VNhbWvZLWPuj/RtHFjvtJBEwOkhbN/BnnE8rnZR8+sbwnc/KhCk3FhnpHZnQz7B
5aETbbIgmuvewdjvSBSjYzBhMA4GA1UdDwEB/wQEAwICpDATBgNVHSUEDDAKBggr
BgEFBQcDATAPBgNVHRMBAf8EBTADAQH/MCkGA1UdEQQiMCCCDmxvY2FsaG9zdDo1
NDUzgg4xMjcuMC4wLjE6NTQ1MzAKBggqhkjOPQQDAgNIADBFAiEA2zpJEPQyz6/l
Wf86aX6PepsntZv2GYlA5UpabfT2EZICICpJ5h/iI+i341gBmLiAFQOyTDT+/wQc
6MF9+Yw1Yy0t
-----END CERTIFICATE-----
`
