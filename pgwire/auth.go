package pgwire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// scramIterations is PostgreSQL's default scram_iterations.
const scramIterations = 4096

// authenticate runs the authentication exchange: trust for loopback
// clients when no password is set, else SCRAM-SHA-256 (RFC 5802/7677, as
// PostgreSQL does it), or cleartext when the server allows it.
func (s *Server) authenticate(sess *session) error {
	be := sess.be
	if s.Password == "" {
		if !isLoopback(sess.conn.RemoteAddr()) {
			return fatal(codeInvalidAuthSpec, "no password is configured (set WEIR_PASSWORD): only clients on loopback are trusted")
		}
		be.Send(&pgproto3.AuthenticationOk{})
		return nil
	}
	if s.AllowCleartext {
		return s.authCleartext(sess)
	}
	return s.authSCRAM(sess)
}

func authFailed(user string) *pgError {
	return fatal(codeInvalidPassword, fmt.Sprintf("password authentication failed for user %q", user))
}

func (s *Server) authCleartext(sess *session) error {
	be := sess.be
	be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if err := be.Flush(); err != nil {
		return err
	}
	be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
	m, err := be.Receive()
	if err != nil {
		return err
	}
	pm, ok := m.(*pgproto3.PasswordMessage)
	if !ok {
		return fatal(codeProtocolViolation, fmt.Sprintf("expected a password message, got %T", m))
	}
	if subtle.ConstantTimeCompare([]byte(pm.Password), []byte(s.Password)) != 1 {
		return authFailed(sess.user)
	}
	be.Send(&pgproto3.AuthenticationOk{})
	return nil
}

func (s *Server) authSCRAM(sess *session) error {
	be := sess.be
	be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := be.Flush(); err != nil {
		return err
	}
	be.SetAuthType(pgproto3.AuthTypeSASL)
	m, err := be.Receive()
	if err != nil {
		return err
	}
	init, ok := m.(*pgproto3.SASLInitialResponse)
	if !ok {
		return fatal(codeProtocolViolation, fmt.Sprintf("expected SASLInitialResponse, got %T", m))
	}
	if init.AuthMechanism != "SCRAM-SHA-256" {
		return fatal(codeProtocolViolation, fmt.Sprintf("unsupported SASL mechanism %q", init.AuthMechanism))
	}
	// client-first-message: gs2-header "n,," or "y,," (the client could
	// bind to the TLS channel but the server offered no -PLUS), then
	// client-first-message-bare "n=user,r=nonce".
	cfm := string(init.Data)
	var gs2 string
	switch {
	case strings.HasPrefix(cfm, "n,,"), strings.HasPrefix(cfm, "y,,"):
		gs2, cfm = cfm[:3], cfm[3:]
	default:
		return fatal(codeProtocolViolation, "malformed SCRAM message: channel binding is not supported")
	}
	clientNonce := scramAttr(cfm, "r")
	if clientNonce == "" {
		return fatal(codeProtocolViolation, "malformed SCRAM message: no nonce")
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	sn := make([]byte, 18)
	rand.Read(sn)
	nonce := clientNonce + base64.StdEncoding.EncodeToString(sn)
	sfm := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(salt), scramIterations)
	be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(sfm)})
	if err := be.Flush(); err != nil {
		return err
	}
	be.SetAuthType(pgproto3.AuthTypeSASLContinue)
	m, err = be.Receive()
	if err != nil {
		return err
	}
	resp, ok := m.(*pgproto3.SASLResponse)
	if !ok {
		return fatal(codeProtocolViolation, fmt.Sprintf("expected SASLResponse, got %T", m))
	}
	// client-final-message: "c=biws,r=nonce,p=proof".
	final := string(resp.Data)
	i := strings.LastIndex(final, ",p=")
	if i < 0 {
		return fatal(codeProtocolViolation, "malformed SCRAM message: no proof")
	}
	withoutProof := final[:i]
	proof, err := base64.StdEncoding.DecodeString(final[i+3:])
	if err != nil || len(proof) != sha256.Size {
		return fatal(codeProtocolViolation, "malformed SCRAM message: bad proof")
	}
	if scramAttr(withoutProof, "r") != nonce || scramAttr(withoutProof, "c") != base64.StdEncoding.EncodeToString([]byte(gs2)) {
		return fatal(codeProtocolViolation, "malformed SCRAM message: nonce or channel binding mismatch")
	}
	salted, err := pbkdf2.Key(sha256.New, s.Password, salt, scramIterations, sha256.Size)
	if err != nil {
		return err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	authMsg := cfm + "," + sfm + "," + withoutProof
	sig := hmacSHA256(storedKey[:], authMsg)
	recovered := make([]byte, len(proof))
	for j := range proof {
		recovered[j] = proof[j] ^ sig[j]
	}
	got := sha256.Sum256(recovered)
	if subtle.ConstantTimeCompare(got[:], storedKey[:]) != 1 {
		return authFailed(sess.user)
	}
	serverSig := hmacSHA256(hmacSHA256(salted, "Server Key"), authMsg)
	be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSig))})
	be.Send(&pgproto3.AuthenticationOk{})
	return nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// scramAttr finds attribute k in a comma-separated SCRAM message.
func scramAttr(msg, k string) string {
	for _, part := range strings.Split(msg, ",") {
		if v, ok := strings.CutPrefix(part, k+"="); ok {
			return v
		}
	}
	return ""
}
