package pgwire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
)

// session is one client connection after startup. A reader goroutine
// decodes messages into msgs (copies: pgproto3 reuses its structs) and
// turns EOF, Terminate or a malformed message into the session context's
// cancellation, so a query streaming rows notices a vanished client at
// once; the session goroutine alone writes to the socket.
type session struct {
	srv    *Server
	conn   net.Conn
	be     *pgproto3.Backend
	pid    uint32
	secret []byte

	user, database string
	settings       *settings

	ctx    context.Context
	cancel context.CancelCauseFunc
	msgs   chan pgproto3.FrontendMessage

	// txState is ReadyForQuery's status: 'I' idle, 'T' in a block, 'E'
	// in a failed block.
	txState byte
	// skipToSync is set after an error in the extended protocol.
	skipToSync bool

	stmts   map[string]*prepared
	portals map[string]*portal
	cursors map[string]*portal
	// catdb is the catalog database (catalog_db.go), opened by the first
	// catalog query.
	catdb *catalogDB

	mu sync.Mutex
	// active cancels the statement running now; a CancelRequest calls it.
	active context.CancelCauseFunc
}

// errProtocol wraps what the reader found malformed.
type errProtocol struct{ err error }

func (e errProtocol) Error() string { return e.err.Error() }

func (s *session) cancelActive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active != nil {
		s.active(errUserCancel)
	}
}

func (s *session) setActive(c context.CancelCauseFunc) {
	s.mu.Lock()
	s.active = c
	s.mu.Unlock()
}

// run sends the startup parameters and serves messages until the client
// leaves or the server shuts down.
func (s *session) serve() {
	for _, k := range s.settings.sorted() {
		if reported[k] {
			s.be.Send(&pgproto3.ParameterStatus{Name: s.settings.names[k], Value: s.settings.vals[k]})
		}
	}
	s.be.Send(&pgproto3.BackendKeyData{ProcessID: s.pid, SecretKey: s.secret})
	s.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if err := s.be.Flush(); err != nil {
		return
	}
	s.msgs = make(chan pgproto3.FrontendMessage, 64)
	go s.read()
	defer s.closeAll()
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				s.finish()
				return
			}
			s.handle(m)
			if s.ctx.Err() != nil {
				s.finish()
				return
			}
		case <-s.ctx.Done():
			s.finish()
			return
		}
	}
}

// finish tells the client why the session ends, when it is still there.
func (s *session) finish() {
	cause := context.Cause(s.ctx)
	var pe errProtocol
	switch {
	case errors.Is(cause, errShutdown):
		s.be.Send(fatal(codeAdminShutdown, errShutdown.Error()).response())
	case errors.As(cause, &pe):
		s.be.Send(fatal(codeProtocolViolation, "invalid message: "+pe.err.Error()).response())
	default:
		return
	}
	s.be.Flush()
}

func (s *session) closeAll() {
	for _, p := range s.portals {
		p.close()
	}
	for _, p := range s.cursors {
		p.close()
	}
	s.catdb.close()
}

func (s *session) read() {
	defer close(s.msgs)
	for {
		m, err := s.be.Receive()
		if err != nil {
			var tooLong *pgproto3.ExceededMaxBodyLenErr
			switch {
			case errors.As(err, &tooLong):
				s.cancel(errProtocol{fmt.Errorf("message of %d bytes exceeds the limit of %d", tooLong.ActualBodyLen, tooLong.MaxExpectedBodyLen)})
			case isDecodeError(err):
				s.cancel(errProtocol{err})
			default:
				s.cancel(errDisconnected)
			}
			return
		}
		if _, ok := m.(*pgproto3.Terminate); ok {
			s.cancel(errDisconnected)
			return
		}
		cp, err := copyMessage(m)
		if err != nil {
			s.cancel(errProtocol{err})
			return
		}
		select {
		case s.msgs <- cp:
		case <-s.ctx.Done():
			return
		}
	}
}

// isDecodeError tells a malformed message from a closed socket.
func isDecodeError(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) {
		return false
	}
	msg := err.Error()
	return !(msg == "unexpected EOF" || msg == "EOF")
}

// copyMessage copies what pgproto3 decoded into buffers it will reuse.
func copyMessage(m pgproto3.FrontendMessage) (pgproto3.FrontendMessage, error) {
	switch m := m.(type) {
	case *pgproto3.Query:
		return &pgproto3.Query{String: m.String}, nil
	case *pgproto3.Parse:
		return &pgproto3.Parse{Name: m.Name, Query: m.Query, ParameterOIDs: append([]uint32(nil), m.ParameterOIDs...)}, nil
	case *pgproto3.Bind:
		b := &pgproto3.Bind{DestinationPortal: m.DestinationPortal, PreparedStatement: m.PreparedStatement,
			ParameterFormatCodes: append([]int16(nil), m.ParameterFormatCodes...),
			ResultFormatCodes:    append([]int16(nil), m.ResultFormatCodes...)}
		b.Parameters = make([][]byte, len(m.Parameters))
		for i, p := range m.Parameters {
			if p != nil {
				b.Parameters[i] = append([]byte{}, p...)
			}
		}
		return b, nil
	case *pgproto3.Describe:
		return &pgproto3.Describe{ObjectType: m.ObjectType, Name: m.Name}, nil
	case *pgproto3.Execute:
		return &pgproto3.Execute{Portal: m.Portal, MaxRows: m.MaxRows}, nil
	case *pgproto3.Close:
		return &pgproto3.Close{ObjectType: m.ObjectType, Name: m.Name}, nil
	case *pgproto3.Sync:
		return &pgproto3.Sync{}, nil
	case *pgproto3.Flush:
		return &pgproto3.Flush{}, nil
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// weir has no COPY FROM; these only arrive out of place.
		return &pgproto3.Sync{}, nil
	}
	return nil, fmt.Errorf("unexpected message %T", m)
}

func (s *session) handle(m pgproto3.FrontendMessage) {
	if s.skipToSync {
		if _, ok := m.(*pgproto3.Sync); !ok {
			return
		}
	}
	switch m := m.(type) {
	case *pgproto3.Query:
		s.simpleQuery(m.String)
		s.ready()
	case *pgproto3.Parse:
		s.extended(s.parse(m), m.Query)
	case *pgproto3.Bind:
		s.extended(s.bind(m), s.stmtTextOf(m.PreparedStatement))
	case *pgproto3.Describe:
		text := s.portalTextOf(m.Name)
		if m.ObjectType == 'S' {
			text = s.stmtTextOf(m.Name)
		}
		s.extended(s.describe(m), text)
	case *pgproto3.Execute:
		s.extended(s.execute(m), s.portalTextOf(m.Portal))
	case *pgproto3.Close:
		s.extended(s.closeMsg(m), "")
	case *pgproto3.Sync:
		s.skipToSync = false
		if s.txState == 'I' {
			// The implicit transaction ends: its portals go with it.
			for name, p := range s.portals {
				p.close()
				delete(s.portals, name)
			}
		}
		s.ready()
	case *pgproto3.Flush:
		s.be.Flush()
	}
}

func (s *session) ready() {
	s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.txState})
	s.be.Flush()
}

// extended reports an extended-protocol error and discards messages
// until Sync, as the protocol requires.
func (s *session) extended(err error, text string) {
	if err == nil {
		return
	}
	s.sendError(err, text, 0)
	s.skipToSync = true
}

// stmtTextOf and portalTextOf are the text error positions count in.
func (s *session) stmtTextOf(name string) string {
	if p, ok := s.stmts[name]; ok {
		return p.text
	}
	return ""
}

func (s *session) portalTextOf(name string) string {
	if p, ok := s.portals[name]; ok && p.stmt != nil {
		return p.stmt.text
	}
	return ""
}

func (s *session) sendError(err error, text string, base int) {
	if s.ctx.Err() != nil && !errors.Is(context.Cause(s.ctx), errUserCancel) {
		// The session is ending; finish says why.
		return
	}
	pe := toPgError(err, text, base)
	if errors.Is(err, errUserCancel) {
		pe = newErr(codeQueryCanceled, errUserCancel.Error())
	}
	s.be.Send(pe.response())
	if s.txState == 'T' {
		s.txState = 'E'
	}
}

// simpleQuery runs each statement of a Query message in turn, stopping at
// the first error.
func (s *session) simpleQuery(text string) {
	stmts := splitStatements(text)
	if len(stmts) == 0 {
		s.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	for _, st := range stmts {
		if s.txState == 'E' && !isTxEnd(st.toks) {
			s.sendError(newErr(codeInFailedTx, "current transaction is aborted, commands ignored until end of transaction block"), "", 0)
			return
		}
		res, err := s.run(st, nil)
		if err != nil {
			s.sendError(err, text, st.off)
			return
		}
		if res.rows != nil && !res.copyOut {
			if err := s.describeResult(res, nil); err != nil {
				res.rows.close()
				s.sendError(err, text, st.off)
				return
			}
		}
		err = s.sendResult(res, nil, 0)
		res.finish()
		if err != nil {
			s.sendError(err, text, st.off)
			return
		}
	}
}

// describeResult sends a result's RowDescription (NoData for commands).
func (s *session) describeResult(res *result, formats []int16) error {
	if res.rows == nil {
		s.be.Send(&pgproto3.NoData{})
		return nil
	}
	cols, err := res.columns()
	if err != nil {
		return err
	}
	s.be.Send(&pgproto3.RowDescription{Fields: fieldDescs(cols, formats)})
	return nil
}

// sendResult streams a result's rows (at most maxRows when not 0) and its
// CommandComplete; it reports whether the rows ran out. Errors while
// streaming (a cancel, a failing query) end it.
func (s *session) sendResult(res *result, formats []int16, maxRows uint32) error {
	_, err := s.streamRows(res, formats, maxRows)
	return err
}

func (s *session) streamRows(res *result, formats []int16, maxRows uint32) (suspended bool, err error) {
	for _, n := range res.notices {
		s.be.Send(n)
	}
	res.notices = nil
	for _, ps := range res.status {
		s.be.Send(ps)
	}
	res.status = nil
	if res.rows == nil {
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(res.tag)})
		return false, nil
	}
	cols, err := res.columns()
	if err != nil {
		return false, err
	}
	if q, ok := res.rows.(*queryRows); ok {
		s.setActive(q.cancel)
		defer s.setActive(nil)
	}
	if res.copyOut {
		return false, s.copyOut(res, cols)
	}
	flush := func() { s.be.Flush() }
	for n := int64(0); maxRows == 0 || n < int64(maxRows); n++ {
		row, ok, err := res.rows.next(flush)
		s.sendSkipWarnings(res.rows)
		if err != nil {
			return false, err
		}
		if !ok {
			res.done = true
			tag := res.tag
			if res.countTag {
				tag += " " + strconv.FormatInt(res.sent+res.before, 10)
			}
			s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
			return false, nil
		}
		vals := make([][]byte, len(row))
		for i, v := range row {
			if i >= len(cols) {
				break
			}
			b, err := encodeValue(v, cols[i].oid, formatFor(formats, i))
			if err != nil {
				return false, newErr(codeInvalidParameter, fmt.Sprintf("column %q: %v", cols[i].name, err))
			}
			vals[i] = b
		}
		s.be.Send(&pgproto3.DataRow{Values: vals[:len(cols)]})
		res.sent++
	}
	s.be.Send(&pgproto3.PortalSuspended{})
	return true, nil
}

// sendSkipWarnings sends the WARNINGs about rows a query skipped (its
// dead letters) as they come, between its rows; once the query has
// ended, a count of those that got no notice of their own.
func (s *session) sendSkipWarnings(rows rowSource) {
	if l, ok := rows.(*limitRows); ok {
		rows = l.src // a FETCH from a cursor
	}
	q, ok := rows.(*queryRows)
	if !ok {
		return
	}
	for _, w := range q.takeWarnings(q.ended) {
		s.be.Send(w)
	}
}

// copyOut streams a COPY (…) TO STDOUT in text format.
func (s *session) copyOut(res *result, cols []column) error {
	formats := make([]uint16, len(cols))
	s.be.Send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: formats})
	flush := func() { s.be.Flush() }
	var n int64
	for {
		row, ok, err := res.rows.next(flush)
		s.sendSkipWarnings(res.rows)
		if err != nil {
			// An ErrorResponse ends copy mode.
			return err
		}
		if !ok {
			break
		}
		var line []byte
		for i, v := range row {
			if i > 0 {
				line = append(line, res.copyDelim)
			}
			b, _ := encodeValue(v, cols[i].oid, 0)
			if b == nil {
				line = append(line, res.copyNull...)
				continue
			}
			line = appendCopyText(line, b, res.copyCSV, res.copyDelim)
		}
		line = append(line, '\n')
		s.be.Send(&pgproto3.CopyData{Data: line})
		n++
	}
	s.be.Send(&pgproto3.CopyDone{})
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("COPY " + strconv.FormatInt(n, 10))})
	res.done = true
	return nil
}

// appendCopyText escapes a value for COPY's text format (backslashes,
// tabs, newlines) or CSV (quotes when needed).
func appendCopyText(dst, v []byte, csv bool, delim byte) []byte {
	if csv {
		needQuote := false
		for _, c := range v {
			if c == '"' || c == delim || c == '\n' || c == '\r' {
				needQuote = true
			}
		}
		if !needQuote {
			return append(dst, v...)
		}
		dst = append(dst, '"')
		for _, c := range v {
			if c == '"' {
				dst = append(dst, '"')
			}
			dst = append(dst, c)
		}
		return append(dst, '"')
	}
	for _, c := range v {
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c == delim {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
	}
	return dst
}
