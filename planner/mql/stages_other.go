package mql

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SetStreamMeta is $setStreamMeta: Fields are "stream.<name>" keys.
type SetStreamMeta struct{ Fields []Field }

func (*SetStreamMeta) Op() string  { return "$setStreamMeta" }
func (s *SetStreamMeta) Body() any { return fieldsDoc(s.Fields) }

func (s *SetStreamMeta) check(p Path) error {
	if len(s.Fields) == 0 {
		return Errorf(p, "needs at least one field {\"stream.<name>\": <expression>}")
	}
	for _, f := range s.Fields {
		if !strings.HasPrefix(f.Name, "stream.") || len(f.Name) == len("stream.") {
			return Errorf(p.Key(f.Name), "%q does not start with \"stream.\"; metadata keys are stream.<name>", f.Name)
		}
	}
	return nil
}

func (d *decoder) setStreamMeta(v any, p Path) (Stage, error) {
	fs, err := d.fields(v, p)
	if err != nil {
		return nil, err
	}
	return &SetStreamMeta{Fields: fs}, nil
}

// Https is $https: call an HTTPS endpoint per document.
type Https struct {
	ConnectionName string
	Path           NameExpr
	// Method is GET (the default when ""), POST, PUT, PATCH or DELETE.
	Method     string
	Parameters []Field
	Headers    []Field
	// Payload shapes the request body; nil sends the whole document.
	Payload Pipeline
	As      string
	// OnError is dlq (the default when ""), ignore or fail.
	OnError string
	Config  *HttpsConfig
}

// HttpsConfig is $https.config; zero values are ASP's defaults.
type HttpsConfig struct {
	ConnectionTimeoutSec int64
	RequestTimeoutSec    int64
	ParseJSONStrings     *bool
}

var (
	httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	onErrors    = []string{"dlq", "ignore", "fail"}
)

func (*Https) Op() string { return "$https" }

func (s *Https) Body() any {
	d := bson.D{{Key: "connectionName", Value: s.ConnectionName}}
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	if !s.Path.isZero() {
		add("path", s.Path.value())
	}
	if s.Method != "" {
		add("method", s.Method)
	}
	if s.Parameters != nil {
		add("parameters", fieldsDoc(s.Parameters))
	}
	if s.Headers != nil {
		add("headers", fieldsDoc(s.Headers))
	}
	if s.Payload != nil {
		add("payload", EncodePipeline(s.Payload))
	}
	if s.As != "" {
		add("as", s.As)
	}
	if s.OnError != "" {
		add("onError", s.OnError)
	}
	if c := s.Config; c != nil {
		cd := bson.D{}
		if c.ConnectionTimeoutSec != 0 {
			cd = append(cd, bson.E{Key: "connectionTimeoutSec", Value: num(c.ConnectionTimeoutSec)})
		}
		if c.RequestTimeoutSec != 0 {
			cd = append(cd, bson.E{Key: "requestTimeoutSec", Value: num(c.RequestTimeoutSec)})
		}
		if c.ParseJSONStrings != nil {
			cd = append(cd, bson.E{Key: "parseJsonStrings", Value: *c.ParseJSONStrings})
		}
		add("config", cd)
	}
	return d
}

func (s *Https) check(p Path) error {
	if s.ConnectionName == "" {
		return Errorf(p, "connectionName is required")
	}
	if s.Method != "" {
		if err := oneOf(p.Key("method"), s.Method, httpMethods); err != nil {
			return err
		}
	}
	if err := optOneOf(p.Key("onError"), s.OnError, onErrors); err != nil {
		return err
	}
	if c := s.Config; c != nil {
		if c.ConnectionTimeoutSec < 0 {
			return Errorf(p.Key("config").Key("connectionTimeoutSec"), "must be a positive integer, found %d", c.ConnectionTimeoutSec)
		}
		if c.RequestTimeoutSec < 0 {
			return Errorf(p.Key("config").Key("requestTimeoutSec"), "must be a positive integer, found %d", c.RequestTimeoutSec)
		}
	}
	return nil
}

func (d *decoder) https(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$https", "connectionName", "path", "method", "parameters", "headers", "payload", "as", "onError", "config")
	if err != nil {
		return nil, err
	}
	s := &Https{}
	if s.ConnectionName, err = o.str("connectionName"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("path"); ok {
		if s.Path, err = d.nameExpr(raw, o.at("path")); err != nil {
			return nil, err
		}
	}
	if s.Method, err = o.str("method"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		k   string
		dst *[]Field
	}{{"parameters", &s.Parameters}, {"headers", &s.Headers}} {
		if raw, ok := o.get(f.k); ok {
			if *f.dst, err = d.fields(raw, o.at(f.k)); err != nil {
				return nil, err
			}
		}
	}
	if raw, ok := o.get("payload"); ok {
		if s.Payload, err = d.pipeline(raw, o.at("payload"), InPayload); err != nil {
			return nil, err
		}
	}
	if s.As, err = o.str("as"); err != nil {
		return nil, err
	}
	if s.OnError, err = o.str("onError"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("config"); ok {
		co, err := d.opts(raw, o.at("config"), "an $https config", "connectionTimeoutSec", "requestTimeoutSec", "parseJsonStrings")
		if err != nil {
			return nil, err
		}
		s.Config = &HttpsConfig{}
		if s.Config.ConnectionTimeoutSec, err = co.int("connectionTimeoutSec"); err != nil {
			return nil, err
		}
		if s.Config.RequestTimeoutSec, err = co.int("requestTimeoutSec"); err != nil {
			return nil, err
		}
		if s.Config.ParseJSONStrings, err = co.boolean("parseJsonStrings"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ExternalFunction is $externalFunction: invoke an AWS Lambda function.
type ExternalFunction struct {
	ConnectionName string
	FunctionName   string
	// Execution is sync (the default when "") or async.
	Execution string
	Payload   Pipeline
	As        string
	OnError   string
}

func (*ExternalFunction) Op() string { return "$externalFunction" }

func (s *ExternalFunction) Body() any {
	d := bson.D{{Key: "connectionName", Value: s.ConnectionName}, {Key: "functionName", Value: s.FunctionName}}
	if s.Execution != "" {
		d = append(d, bson.E{Key: "execution", Value: s.Execution})
	}
	if s.Payload != nil {
		d = append(d, bson.E{Key: "payload", Value: EncodePipeline(s.Payload)})
	}
	if s.As != "" {
		d = append(d, bson.E{Key: "as", Value: s.As})
	}
	if s.OnError != "" {
		d = append(d, bson.E{Key: "onError", Value: s.OnError})
	}
	return d
}

func (s *ExternalFunction) check(p Path) error {
	if s.ConnectionName == "" {
		return Errorf(p, "connectionName is required")
	}
	if s.FunctionName == "" {
		return Errorf(p, "functionName is required (the Lambda function's ARN)")
	}
	if err := optOneOf(p.Key("execution"), s.Execution, []string{"sync", "async"}); err != nil {
		return err
	}
	return optOneOf(p.Key("onError"), s.OnError, onErrors)
}

func (d *decoder) externalFunction(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$externalFunction", "connectionName", "functionName", "execution", "payload", "as", "onError")
	if err != nil {
		return nil, err
	}
	s := &ExternalFunction{}
	for _, f := range []struct {
		k   string
		dst *string
	}{{"connectionName", &s.ConnectionName}, {"functionName", &s.FunctionName}, {"execution", &s.Execution}, {"as", &s.As}, {"onError", &s.OnError}} {
		if *f.dst, err = o.str(f.k); err != nil {
			return nil, err
		}
	}
	if raw, ok := o.get("payload"); ok {
		if s.Payload, err = d.pipeline(raw, o.at("payload"), InPayload); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Throttle is $throttle; at least one rate is set.
type Throttle struct {
	BytesPerSec    int64
	MessagesPerSec int64
}

func (*Throttle) Op() string { return "$throttle" }

func (s *Throttle) Body() any {
	d := bson.D{}
	if s.BytesPerSec != 0 {
		d = append(d, bson.E{Key: "bytesPerSec", Value: num(s.BytesPerSec)})
	}
	if s.MessagesPerSec != 0 {
		d = append(d, bson.E{Key: "messagesPerSec", Value: num(s.MessagesPerSec)})
	}
	return d
}

func (s *Throttle) check(p Path) error {
	if s.BytesPerSec == 0 && s.MessagesPerSec == 0 {
		return Errorf(p, "give bytesPerSec, messagesPerSec or both")
	}
	if s.BytesPerSec < 0 {
		return Errorf(p.Key("bytesPerSec"), "must be a positive integer, found %d", s.BytesPerSec)
	}
	if s.MessagesPerSec < 0 {
		return Errorf(p.Key("messagesPerSec"), "must be a positive integer, found %d", s.MessagesPerSec)
	}
	return nil
}

func (d *decoder) throttle(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$throttle", "bytesPerSec", "messagesPerSec")
	if err != nil {
		return nil, err
	}
	s := &Throttle{}
	if s.BytesPerSec, err = o.int("bytesPerSec"); err != nil {
		return nil, err
	}
	if s.MessagesPerSec, err = o.int("messagesPerSec"); err != nil {
		return nil, err
	}
	return s, nil
}
