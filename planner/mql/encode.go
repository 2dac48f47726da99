package mql

import "go.mongodb.org/mongo-driver/v2/bson"

// Encode writes a processor as indented Extended JSON, relaxed unless
// canonical is set: the array of stages when it has no name or options,
// else {name, pipeline, options}. Decode reads it back to an equal
// Processor.
func Encode(p *Processor, canonical bool) ([]byte, error) {
	return EncodeJSON(EncodeProcessor(p), canonical, true)
}

// EncodeProcessor is Encode's value before it is printed.
func EncodeProcessor(p *Processor) any {
	pl := EncodePipeline(p.Pipeline)
	if p.Name == "" && p.Options.isZero() {
		return pl
	}
	d := bson.D{}
	if p.Name != "" {
		d = append(d, bson.E{Key: "name", Value: p.Name})
	}
	d = append(d, bson.E{Key: "pipeline", Value: pl})
	if !p.Options.isZero() {
		d = append(d, bson.E{Key: "options", Value: p.Options.doc()})
	}
	return d
}

// EncodePipeline returns the stages as ASP's array of stage documents.
func EncodePipeline(p Pipeline) bson.A {
	a := make(bson.A, len(p))
	for i, s := range p {
		a[i] = Doc(s)
	}
	return a
}

func (o Options) doc() bson.D {
	d := bson.D{}
	if o.DLQ != nil {
		d = append(d, bson.E{Key: "dlq", Value: o.DLQ.doc()})
	}
	if o.StreamMetaFieldName != nil {
		d = append(d, bson.E{Key: "streamMetaFieldName", Value: *o.StreamMetaFieldName})
	}
	if o.Tier != "" {
		d = append(d, bson.E{Key: "tier", Value: o.Tier})
	}
	return d
}
