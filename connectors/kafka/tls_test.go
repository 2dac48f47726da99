package kafka

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// selfSigned makes a certificate for 127.0.0.1 and localhost that signs
// itself, and writes it as a PEM file for tls_ca.
func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "weir test broker"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, ca
}

// TestTLS: over a broker that speaks only TLS, a connection trusting the
// broker's CA (tls_ca) writes and reads; one that skips verification
// does too; one trusting only the system's CAs, or not using TLS, fails
// at start, within its dial timeout, naming the broker.
func TestTLS(t *testing.T) {
	cert, ca := selfSigned(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "secure"),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]

	for name, opts := range map[string]string{"ca": "tls_ca=" + ca, "tls_and_ca": "tls=true&tls_ca=" + ca, "skip_verify": "tls_insecure_skip_verify=true"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := ParseURI("kafka://" + addr + "?dial_timeout=2s&" + opts)
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.TLS {
				t.Fatalf("%s did not turn TLS on", opts)
			}
			k := newSink(t, cfg, SinkOptions{Topic: "secure"})
			want := bson.D{{Key: "_id", Value: opts}, {Key: "ok", Value: true}}
			if rej, err := k.Write(testCtx(t), []connectors.Doc{{Doc: want}}); err != nil || len(rej) > 0 {
				t.Fatalf("write: %v %v", rej, err)
			}
			if err := k.Flush(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			s := newSource(t, cfg, SourceOptions{Topics: []string{"secure"}, AutoOffsetReset: "earliest"})
			found := false
			ctx := testCtx(t)
			for !found {
				ms, err := s.Read(ctx)
				if err != nil {
					t.Fatalf("reading back over TLS: %v", err)
				}
				for _, m := range ms {
					found = found || strings.Contains(string(m.Value), fmt.Sprintf("%q", opts))
				}
			}
		})
	}

	for _, tc := range []struct{ name, opts, want string }{
		// The system's CAs don't know the broker's self-signed certificate.
		{"system_cas", "tls=true", "certificate"},
		// A plaintext client gets no Kafka answer from a TLS listener.
		{"plaintext", "", "TLS"},
	} {
		t.Run("refused_"+tc.name, func(t *testing.T) {
			cfg, err := ParseURI("kafka://" + addr + "?dial_timeout=1s&" + tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = NewSource(testCtx(t), cfg, SourceOptions{Topics: []string{"secure"}, ConnectTimeout: 2 * time.Second})
			if err == nil {
				t.Fatal("connected to a TLS broker without trusting its certificate")
			}
			t.Logf("%s: %v", tc.name, err)
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), addr) {
				t.Errorf("error %q does not say %q and name %s", err, tc.want, addr)
			}
			if d := time.Since(start); d > 8*time.Second {
				t.Errorf("failing took %s; start-up must fail within its timeout", d)
			}
		})
	}
}
