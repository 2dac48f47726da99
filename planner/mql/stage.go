package mql

import "go.mongodb.org/mongo-driver/v2/bson"

// Stage is one stage of a pipeline. Each stage type marshals to exactly the
// document ASP accepts: bson.D{{Key: s.Op(), Value: s.Body()}}.
type Stage interface {
	// Op is the stage name with its dollar: "$match".
	Op() string
	// Body is the stage's argument as a bson value, normalized.
	Body() any
}

// Pipeline is a stream processor's stages in order.
type Pipeline []Stage

// Processor is a named pipeline with its options: what a pipeline file in
// the {name, pipeline, options} form holds, and what a SQL statement plans.
type Processor struct {
	Name     string
	Pipeline Pipeline
	Options  Options
}

// Options are a processor's options (ASP's sp.createStreamProcessor options).
type Options struct {
	// DLQ is where documents that can't be processed go; nil for none.
	DLQ *Namespace
	// StreamMetaFieldName renames _stream_meta; nil keeps the default and
	// a pointer to "" drops the field.
	StreamMetaFieldName *string
}

// Namespace is a collection in a connection: {connectionName, db, coll}.
type Namespace struct {
	ConnectionName string
	DB             string
	Coll           string
}

// Doc returns the stage as the document ASP accepts.
func Doc(s Stage) bson.D { return bson.D{{Key: s.Op(), Value: s.Body()}} }
