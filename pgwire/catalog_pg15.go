// Code generated from a PostgreSQL 15.18 server (Debian 15.18-0+deb12u1); see catalog_db.go. DO NOT EDIT.

package pgwire

// pg15Relations are the catalog relations weir emulates, with the columns
// PostgreSQL 15 gives them (attname and type name, a domain as its base
// type), read from pg_attribute.
var pg15Relations = []catalogRelation{
	{"information_schema", "character_sets", 'v', "character_set_catalog name, character_set_schema name, character_set_name name, character_repertoire name, form_of_use name, default_collate_catalog name, default_collate_schema name, default_collate_name name"},
	{"information_schema", "check_constraints", 'v', "constraint_catalog name, constraint_schema name, constraint_name name, check_clause varchar"},
	{"information_schema", "columns", 'v', "table_catalog name, table_schema name, table_name name, column_name name, ordinal_position int4, column_default varchar, is_nullable varchar, data_type varchar, character_maximum_length int4, character_octet_length int4, numeric_precision int4, numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, interval_type varchar, interval_precision int4, character_set_catalog name, character_set_schema name, character_set_name name, collation_catalog name, collation_schema name, collation_name name, domain_catalog name, domain_schema name, domain_name name, udt_catalog name, udt_schema name, udt_name name, scope_catalog name, scope_schema name, scope_name name, maximum_cardinality int4, dtd_identifier name, is_self_referencing varchar, is_identity varchar, identity_generation varchar, identity_start varchar, identity_increment varchar, identity_maximum varchar, identity_minimum varchar, identity_cycle varchar, is_generated varchar, generation_expression varchar, is_updatable varchar"},
	{"information_schema", "key_column_usage", 'v', "constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, table_schema name, table_name name, column_name name, ordinal_position int4, position_in_unique_constraint int4"},
	{"information_schema", "parameters", 'v', "specific_catalog name, specific_schema name, specific_name name, ordinal_position int4, parameter_mode varchar, is_result varchar, as_locator varchar, parameter_name name, data_type varchar, character_maximum_length int4, character_octet_length int4, character_set_catalog name, character_set_schema name, character_set_name name, collation_catalog name, collation_schema name, collation_name name, numeric_precision int4, numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, interval_type varchar, interval_precision int4, udt_catalog name, udt_schema name, udt_name name, scope_catalog name, scope_schema name, scope_name name, maximum_cardinality int4, dtd_identifier name, parameter_default varchar"},
	{"information_schema", "referential_constraints", 'v', "constraint_catalog name, constraint_schema name, constraint_name name, unique_constraint_catalog name, unique_constraint_schema name, unique_constraint_name name, match_option varchar, update_rule varchar, delete_rule varchar"},
	{"information_schema", "routines", 'v', "specific_catalog name, specific_schema name, specific_name name, routine_catalog name, routine_schema name, routine_name name, routine_type varchar, module_catalog name, module_schema name, module_name name, udt_catalog name, udt_schema name, udt_name name, data_type varchar, character_maximum_length int4, character_octet_length int4, character_set_catalog name, character_set_schema name, character_set_name name, collation_catalog name, collation_schema name, collation_name name, numeric_precision int4, numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, interval_type varchar, interval_precision int4, type_udt_catalog name, type_udt_schema name, type_udt_name name, scope_catalog name, scope_schema name, scope_name name, maximum_cardinality int4, dtd_identifier name, routine_body varchar, routine_definition varchar, external_name varchar, external_language varchar, parameter_style varchar, is_deterministic varchar, sql_data_access varchar, is_null_call varchar, sql_path varchar, schema_level_routine varchar, max_dynamic_result_sets int4, is_user_defined_cast varchar, is_implicitly_invocable varchar, security_type varchar, to_sql_specific_catalog name, to_sql_specific_schema name, to_sql_specific_name name, as_locator varchar, created timestamptz, last_altered timestamptz, new_savepoint_level varchar, is_udt_dependent varchar, result_cast_from_data_type varchar, result_cast_as_locator varchar, result_cast_char_max_length int4, result_cast_char_octet_length int4, result_cast_char_set_catalog name, result_cast_char_set_schema name, result_cast_char_set_name name, result_cast_collation_catalog name, result_cast_collation_schema name, result_cast_collation_name name, result_cast_numeric_precision int4, result_cast_numeric_precision_radix int4, result_cast_numeric_scale int4, result_cast_datetime_precision int4, result_cast_interval_type varchar, result_cast_interval_precision int4, result_cast_type_udt_catalog name, result_cast_type_udt_schema name, result_cast_type_udt_name name, result_cast_scope_catalog name, result_cast_scope_schema name, result_cast_scope_name name, result_cast_maximum_cardinality int4, result_cast_dtd_identifier name"},
	{"information_schema", "schemata", 'v', "catalog_name name, schema_name name, schema_owner name, default_character_set_catalog name, default_character_set_schema name, default_character_set_name name, sql_path varchar"},
	{"information_schema", "sequences", 'v', "sequence_catalog name, sequence_schema name, sequence_name name, data_type varchar, numeric_precision int4, numeric_precision_radix int4, numeric_scale int4, start_value varchar, minimum_value varchar, maximum_value varchar, increment varchar, cycle_option varchar"},
	{"information_schema", "table_constraints", 'v', "constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, table_schema name, table_name name, constraint_type varchar, is_deferrable varchar, initially_deferred varchar, enforced varchar, nulls_distinct varchar"},
	{"information_schema", "table_privileges", 'v', "grantor name, grantee name, table_catalog name, table_schema name, table_name name, privilege_type varchar, is_grantable varchar, with_hierarchy varchar"},
	{"information_schema", "tables", 'v', "table_catalog name, table_schema name, table_name name, table_type varchar, self_referencing_column_name name, reference_generation varchar, user_defined_type_catalog name, user_defined_type_schema name, user_defined_type_name name, is_insertable_into varchar, is_typed varchar, commit_action varchar"},
	{"information_schema", "triggers", 'v', "trigger_catalog name, trigger_schema name, trigger_name name, event_manipulation varchar, event_object_catalog name, event_object_schema name, event_object_table name, action_order int4, action_condition varchar, action_statement varchar, action_orientation varchar, action_timing varchar, action_reference_old_table name, action_reference_new_table name, action_reference_old_row name, action_reference_new_row name, created timestamptz"},
	{"information_schema", "views", 'v', "table_catalog name, table_schema name, table_name name, view_definition varchar, check_option varchar, is_updatable varchar, is_insertable_into varchar, is_trigger_updatable varchar, is_trigger_deletable varchar, is_trigger_insertable_into varchar"},
	{"pg_catalog", "pg_am", 'r', "oid oid, amname name, amhandler regproc, amtype char"},
	{"pg_catalog", "pg_attrdef", 'r', "oid oid, adrelid oid, adnum int2, adbin pg_node_tree"},
	{"pg_catalog", "pg_attribute", 'r', "attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl _aclitem, attoptions _text, attfdwoptions _text, attmissingval anyarray"},
	{"pg_catalog", "pg_auth_members", 'r', "roleid oid, member oid, grantor oid, admin_option bool"},
	{"pg_catalog", "pg_cast", 'r', "oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char"},
	{"pg_catalog", "pg_class", 'r', "oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, relispartition bool, relrewrite oid, relfrozenxid xid, relminmxid xid, relacl _aclitem, reloptions _text, relpartbound pg_node_tree"},
	{"pg_catalog", "pg_collation", 'r', "oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool, collencoding int4, collcollate text, collctype text, colliculocale text, collversion text"},
	{"pg_catalog", "pg_constraint", 'r', "oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey _int2, confkey _int2, conpfeqop _oid, conppeqop _oid, conffeqop _oid, confdelsetcols _int2, conexclop _oid, conbin pg_node_tree"},
	{"pg_catalog", "pg_conversion", 'r', "oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, conproc regproc, condefault bool"},
	{"pg_catalog", "pg_database", 'r', "oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, datallowconn bool, datconnlimit int4, datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate text, datctype text, daticulocale text, datcollversion text, datacl _aclitem"},
	{"pg_catalog", "pg_depend", 'r', "classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char"},
	{"pg_catalog", "pg_description", 'r', "objoid oid, classoid oid, objsubid int4, description text"},
	{"pg_catalog", "pg_enum", 'r', "oid oid, enumtypid oid, enumsortorder float4, enumlabel name"},
	{"pg_catalog", "pg_event_trigger", 'r', "oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags _text"},
	{"pg_catalog", "pg_extension", 'r', "oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig _oid, extcondition _text"},
	{"pg_catalog", "pg_foreign_data_wrapper", 'r', "oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl _aclitem, fdwoptions _text"},
	{"pg_catalog", "pg_foreign_server", 'r', "oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl _aclitem, srvoptions _text"},
	{"pg_catalog", "pg_foreign_table", 'r', "ftrelid oid, ftserver oid, ftoptions _text"},
	{"pg_catalog", "pg_index", 'r', "indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree"},
	{"pg_catalog", "pg_indexes", 'v', "schemaname name, tablename name, indexname name, tablespace name, indexdef text"},
	{"pg_catalog", "pg_inherits", 'r', "inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool"},
	{"pg_catalog", "pg_language", 'r', "oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl _aclitem"},
	{"pg_catalog", "pg_matviews", 'v', "schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, ispopulated bool, definition text"},
	{"pg_catalog", "pg_namespace", 'r', "oid oid, nspname name, nspowner oid, nspacl _aclitem"},
	{"pg_catalog", "pg_opclass", 'r', "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid"},
	{"pg_catalog", "pg_operator", 'r', "oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash bool, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode regproc, oprrest regproc, oprjoin regproc"},
	{"pg_catalog", "pg_partitioned_table", 'r', "partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs pg_node_tree"},
	{"pg_catalog", "pg_policy", 'r', "oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles _oid, polqual pg_node_tree, polwithcheck pg_node_tree"},
	{"pg_catalog", "pg_proc", 'r', "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4, provariadic oid, prosupport regproc, prokind char, prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile char, proparallel char, pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector, proallargtypes _oid, proargmodes _char, proargnames _text, proargdefaults pg_node_tree, protrftypes _oid, prosrc text, probin text, prosqlbody pg_node_tree, proconfig _text, proacl _aclitem"},
	{"pg_catalog", "pg_publication", 'r', "oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool"},
	{"pg_catalog", "pg_publication_namespace", 'r', "oid oid, pnpubid oid, pnnspid oid"},
	{"pg_catalog", "pg_publication_rel", 'r', "oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector"},
	{"pg_catalog", "pg_range", 'r', "rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical regproc, rngsubdiff regproc"},
	{"pg_catalog", "pg_rewrite", 'r', "oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual pg_node_tree, ev_action pg_node_tree"},
	{"pg_catalog", "pg_roles", 'v', "rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, rolconfig _text, oid oid"},
	{"pg_catalog", "pg_sequence", 'r', "seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool"},
	{"pg_catalog", "pg_sequences", 'v', "schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value int8, min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8"},
	{"pg_catalog", "pg_settings", 'v', "name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, vartype text, source text, min_val text, max_val text, enumvals _text, boot_val text, reset_val text, sourcefile text, sourceline int4, pending_restart bool"},
	{"pg_catalog", "pg_shdescription", 'r', "objoid oid, classoid oid, description text"},
	{"pg_catalog", "pg_stat_activity", 'v', "datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, application_name text, client_addr inet, client_hostname text, client_port int4, backend_start timestamptz, xact_start timestamptz, query_start timestamptz, state_change timestamptz, wait_event_type text, wait_event text, state text, backend_xid xid, backend_xmin xid, query_id int8, query text, backend_type text"},
	{"pg_catalog", "pg_statistic_ext", 'r', "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2vector, stxkind _char, stxexprs pg_node_tree"},
	{"pg_catalog", "pg_tables", 'v', "schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, hasrules bool, hastriggers bool, rowsecurity bool"},
	{"pg_catalog", "pg_tablespace", 'r', "oid oid, spcname name, spcowner oid, spcacl _aclitem, spcoptions _text"},
	{"pg_catalog", "pg_trigger", 'r', "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable name, tgnewtable name"},
	{"pg_catalog", "pg_type", 'r', "oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign char, typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl _aclitem"},
	{"pg_catalog", "pg_user", 'v', "usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, useconfig _text"},
	{"pg_catalog", "pg_views", 'v', "schemaname name, viewname name, viewowner name, definition text"},
}

// pg15Types are the built-in types (pg_type rows of pg_catalog, without the catalogs' row types), in COPY text format.
const pg15Types = `16	bool	11	10	1	t	b	B	t	t	,	0	-	0	1000	boolin	boolout	boolrecv	boolsend	-	-	-	c	p	f	0	-1	0	0	\N	\N	\N
17	bytea	11	10	-1	f	b	U	f	t	,	0	-	0	1001	byteain	byteaout	bytearecv	byteasend	-	-	-	i	x	f	0	-1	0	0	\N	\N	\N
18	char	11	10	1	t	b	Z	f	t	,	0	-	0	1002	charin	charout	charrecv	charsend	-	-	-	c	p	f	0	-1	0	0	\N	\N	\N
19	name	11	10	64	f	b	S	f	t	,	0	raw_array_subscript_handler	18	1003	namein	nameout	namerecv	namesend	-	-	-	c	p	f	0	-1	0	950	\N	\N	\N
20	int8	11	10	8	t	b	N	f	t	,	0	-	0	1016	int8in	int8out	int8recv	int8send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
21	int2	11	10	2	t	b	N	f	t	,	0	-	0	1005	int2in	int2out	int2recv	int2send	-	-	-	s	p	f	0	-1	0	0	\N	\N	\N
22	int2vector	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	21	1006	int2vectorin	int2vectorout	int2vectorrecv	int2vectorsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
23	int4	11	10	4	t	b	N	f	t	,	0	-	0	1007	int4in	int4out	int4recv	int4send	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
24	regproc	11	10	4	t	b	N	f	t	,	0	-	0	1008	regprocin	regprocout	regprocrecv	regprocsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
25	text	11	10	-1	f	b	S	t	t	,	0	-	0	1009	textin	textout	textrecv	textsend	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
26	oid	11	10	4	t	b	N	t	t	,	0	-	0	1028	oidin	oidout	oidrecv	oidsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
27	tid	11	10	6	f	b	U	f	t	,	0	-	0	1010	tidin	tidout	tidrecv	tidsend	-	-	-	s	p	f	0	-1	0	0	\N	\N	\N
28	xid	11	10	4	t	b	U	f	t	,	0	-	0	1011	xidin	xidout	xidrecv	xidsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
29	cid	11	10	4	t	b	U	f	t	,	0	-	0	1012	cidin	cidout	cidrecv	cidsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
30	oidvector	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	26	1013	oidvectorin	oidvectorout	oidvectorrecv	oidvectorsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
32	pg_ddl_command	11	10	8	t	p	P	f	t	,	0	-	0	0	pg_ddl_command_in	pg_ddl_command_out	pg_ddl_command_recv	pg_ddl_command_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
114	json	11	10	-1	f	b	U	f	t	,	0	-	0	199	json_in	json_out	json_recv	json_send	-	-	-	i	x	f	0	-1	0	0	\N	\N	\N
142	xml	11	10	-1	f	b	U	f	t	,	0	-	0	143	xml_in	xml_out	xml_recv	xml_send	-	-	-	i	x	f	0	-1	0	0	\N	\N	\N
143	_xml	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	142	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
194	pg_node_tree	11	10	-1	f	b	Z	f	t	,	0	-	0	0	pg_node_tree_in	pg_node_tree_out	pg_node_tree_recv	pg_node_tree_send	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
199	_json	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	114	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
210	_pg_type	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	71	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
269	table_am_handler	11	10	4	t	p	P	f	t	,	0	-	0	0	table_am_handler_in	table_am_handler_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
270	_pg_attribute	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	75	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
271	_xid8	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	5069	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
272	_pg_proc	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	81	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
273	_pg_class	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	83	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
325	index_am_handler	11	10	4	t	p	P	f	t	,	0	-	0	0	index_am_handler_in	index_am_handler_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
600	point	11	10	16	f	b	G	f	t	,	0	raw_array_subscript_handler	701	1017	point_in	point_out	point_recv	point_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
601	lseg	11	10	32	f	b	G	f	t	,	0	raw_array_subscript_handler	600	1018	lseg_in	lseg_out	lseg_recv	lseg_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
602	path	11	10	-1	f	b	G	f	t	,	0	-	0	1019	path_in	path_out	path_recv	path_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
603	box	11	10	32	f	b	G	f	t	;	0	raw_array_subscript_handler	600	1020	box_in	box_out	box_recv	box_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
604	polygon	11	10	-1	f	b	G	f	t	,	0	-	0	1027	poly_in	poly_out	poly_recv	poly_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
628	line	11	10	24	f	b	G	f	t	,	0	raw_array_subscript_handler	701	629	line_in	line_out	line_recv	line_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
629	_line	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	628	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
650	cidr	11	10	-1	f	b	I	f	t	,	0	-	0	651	cidr_in	cidr_out	cidr_recv	cidr_send	-	-	-	i	m	f	0	-1	0	0	\N	\N	\N
651	_cidr	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	650	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
700	float4	11	10	4	t	b	N	f	t	,	0	-	0	1021	float4in	float4out	float4recv	float4send	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
701	float8	11	10	8	t	b	N	t	t	,	0	-	0	1022	float8in	float8out	float8recv	float8send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
705	unknown	11	10	-2	f	p	X	f	t	,	0	-	0	0	unknownin	unknownout	unknownrecv	unknownsend	-	-	-	c	p	f	0	-1	0	0	\N	\N	\N
718	circle	11	10	24	f	b	G	f	t	,	0	-	0	719	circle_in	circle_out	circle_recv	circle_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
719	_circle	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	718	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
774	macaddr8	11	10	8	f	b	U	f	t	,	0	-	0	775	macaddr8_in	macaddr8_out	macaddr8_recv	macaddr8_send	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
775	_macaddr8	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	774	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
790	money	11	10	8	t	b	N	f	t	,	0	-	0	791	cash_in	cash_out	cash_recv	cash_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
791	_money	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	790	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
829	macaddr	11	10	6	f	b	U	f	t	,	0	-	0	1040	macaddr_in	macaddr_out	macaddr_recv	macaddr_send	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
869	inet	11	10	-1	f	b	I	t	t	,	0	-	0	1041	inet_in	inet_out	inet_recv	inet_send	-	-	-	i	m	f	0	-1	0	0	\N	\N	\N
1000	_bool	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	16	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1001	_bytea	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	17	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1002	_char	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	18	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1003	_name	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	19	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	950	\N	\N	\N
1005	_int2	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	21	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1006	_int2vector	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	22	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1007	_int4	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	23	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1008	_regproc	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	24	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1009	_text	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	25	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	100	\N	\N	\N
1010	_tid	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	27	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1011	_xid	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	28	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1012	_cid	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	29	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1013	_oidvector	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	30	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1014	_bpchar	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1042	0	array_in	array_out	array_recv	array_send	bpchartypmodin	bpchartypmodout	array_typanalyze	i	x	f	0	-1	0	100	\N	\N	\N
1015	_varchar	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1043	0	array_in	array_out	array_recv	array_send	varchartypmodin	varchartypmodout	array_typanalyze	i	x	f	0	-1	0	100	\N	\N	\N
1016	_int8	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	20	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1017	_point	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	600	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1018	_lseg	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	601	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1019	_path	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	602	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1020	_box	11	10	-1	f	b	A	f	t	;	0	array_subscript_handler	603	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1021	_float4	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	700	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1022	_float8	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	701	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1027	_polygon	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	604	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1028	_oid	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	26	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1033	aclitem	11	10	12	f	b	U	f	t	,	0	-	0	1034	aclitemin	aclitemout	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
1034	_aclitem	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1033	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1040	_macaddr	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	829	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1041	_inet	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	869	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1042	bpchar	11	10	-1	f	b	S	f	t	,	0	-	0	1014	bpcharin	bpcharout	bpcharrecv	bpcharsend	bpchartypmodin	bpchartypmodout	-	i	x	f	0	-1	0	100	\N	\N	\N
1043	varchar	11	10	-1	f	b	S	f	t	,	0	-	0	1015	varcharin	varcharout	varcharrecv	varcharsend	varchartypmodin	varchartypmodout	-	i	x	f	0	-1	0	100	\N	\N	\N
1082	date	11	10	4	t	b	D	f	t	,	0	-	0	1182	date_in	date_out	date_recv	date_send	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
1083	time	11	10	8	t	b	D	f	t	,	0	-	0	1183	time_in	time_out	time_recv	time_send	timetypmodin	timetypmodout	-	d	p	f	0	-1	0	0	\N	\N	\N
1114	timestamp	11	10	8	t	b	D	f	t	,	0	-	0	1115	timestamp_in	timestamp_out	timestamp_recv	timestamp_send	timestamptypmodin	timestamptypmodout	-	d	p	f	0	-1	0	0	\N	\N	\N
1115	_timestamp	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1114	0	array_in	array_out	array_recv	array_send	timestamptypmodin	timestamptypmodout	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1182	_date	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1082	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1183	_time	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1083	0	array_in	array_out	array_recv	array_send	timetypmodin	timetypmodout	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1184	timestamptz	11	10	8	t	b	D	t	t	,	0	-	0	1185	timestamptz_in	timestamptz_out	timestamptz_recv	timestamptz_send	timestamptztypmodin	timestamptztypmodout	-	d	p	f	0	-1	0	0	\N	\N	\N
1185	_timestamptz	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1184	0	array_in	array_out	array_recv	array_send	timestamptztypmodin	timestamptztypmodout	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1186	interval	11	10	16	f	b	T	t	t	,	0	-	0	1187	interval_in	interval_out	interval_recv	interval_send	intervaltypmodin	intervaltypmodout	-	d	p	f	0	-1	0	0	\N	\N	\N
1187	_interval	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1186	0	array_in	array_out	array_recv	array_send	intervaltypmodin	intervaltypmodout	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1231	_numeric	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1700	0	array_in	array_out	array_recv	array_send	numerictypmodin	numerictypmodout	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1263	_cstring	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2275	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1266	timetz	11	10	12	f	b	D	f	t	,	0	-	0	1270	timetz_in	timetz_out	timetz_recv	timetz_send	timetztypmodin	timetztypmodout	-	d	p	f	0	-1	0	0	\N	\N	\N
1270	_timetz	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1266	0	array_in	array_out	array_recv	array_send	timetztypmodin	timetztypmodout	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
1560	bit	11	10	-1	f	b	V	f	t	,	0	-	0	1561	bit_in	bit_out	bit_recv	bit_send	bittypmodin	bittypmodout	-	i	x	f	0	-1	0	0	\N	\N	\N
1561	_bit	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1560	0	array_in	array_out	array_recv	array_send	bittypmodin	bittypmodout	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1562	varbit	11	10	-1	f	b	V	t	t	,	0	-	0	1563	varbit_in	varbit_out	varbit_recv	varbit_send	varbittypmodin	varbittypmodout	-	i	x	f	0	-1	0	0	\N	\N	\N
1563	_varbit	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1562	0	array_in	array_out	array_recv	array_send	varbittypmodin	varbittypmodout	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
1700	numeric	11	10	-1	f	b	N	f	t	,	0	-	0	1231	numeric_in	numeric_out	numeric_recv	numeric_send	numerictypmodin	numerictypmodout	-	i	m	f	0	-1	0	0	\N	\N	\N
1790	refcursor	11	10	-1	f	b	U	f	t	,	0	-	0	2201	textin	textout	textrecv	textsend	-	-	-	i	x	f	0	-1	0	0	\N	\N	\N
2201	_refcursor	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1790	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2202	regprocedure	11	10	4	t	b	N	f	t	,	0	-	0	2207	regprocedurein	regprocedureout	regprocedurerecv	regproceduresend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2203	regoper	11	10	4	t	b	N	f	t	,	0	-	0	2208	regoperin	regoperout	regoperrecv	regopersend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2204	regoperator	11	10	4	t	b	N	f	t	,	0	-	0	2209	regoperatorin	regoperatorout	regoperatorrecv	regoperatorsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2205	regclass	11	10	4	t	b	N	f	t	,	0	-	0	2210	regclassin	regclassout	regclassrecv	regclasssend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2206	regtype	11	10	4	t	b	N	f	t	,	0	-	0	2211	regtypein	regtypeout	regtyperecv	regtypesend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2207	_regprocedure	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2202	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2208	_regoper	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2203	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2209	_regoperator	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2204	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2210	_regclass	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2205	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2211	_regtype	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2206	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2249	record	11	10	-1	f	p	P	f	t	,	0	-	0	2287	record_in	record_out	record_recv	record_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
2275	cstring	11	10	-2	f	p	P	f	t	,	0	-	0	1263	cstring_in	cstring_out	cstring_recv	cstring_send	-	-	-	c	p	f	0	-1	0	0	\N	\N	\N
2276	any	11	10	4	t	p	P	f	t	,	0	-	0	0	any_in	any_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2277	anyarray	11	10	-1	f	p	P	f	t	,	0	-	0	0	anyarray_in	anyarray_out	anyarray_recv	anyarray_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
2278	void	11	10	4	t	p	P	f	t	,	0	-	0	0	void_in	void_out	void_recv	void_send	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2279	trigger	11	10	4	t	p	P	f	t	,	0	-	0	0	trigger_in	trigger_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2280	language_handler	11	10	4	t	p	P	f	t	,	0	-	0	0	language_handler_in	language_handler_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2281	internal	11	10	8	t	p	P	f	t	,	0	-	0	0	internal_in	internal_out	-	-	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
2283	anyelement	11	10	4	t	p	P	f	t	,	0	-	0	0	anyelement_in	anyelement_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2287	_record	11	10	-1	f	p	P	f	t	,	0	array_subscript_handler	2249	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
2776	anynonarray	11	10	4	t	p	P	f	t	,	0	-	0	0	anynonarray_in	anynonarray_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
2949	_txid_snapshot	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2970	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
2950	uuid	11	10	16	f	b	U	f	t	,	0	-	0	2951	uuid_in	uuid_out	uuid_recv	uuid_send	-	-	-	c	p	f	0	-1	0	0	\N	\N	\N
2951	_uuid	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2950	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
2970	txid_snapshot	11	10	-1	f	b	U	f	t	,	0	-	0	2949	txid_snapshot_in	txid_snapshot_out	txid_snapshot_recv	txid_snapshot_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
3115	fdw_handler	11	10	4	t	p	P	f	t	,	0	-	0	0	fdw_handler_in	fdw_handler_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3220	pg_lsn	11	10	8	t	b	U	f	t	,	0	-	0	3221	pg_lsn_in	pg_lsn_out	pg_lsn_recv	pg_lsn_send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
3221	_pg_lsn	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3220	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
3310	tsm_handler	11	10	4	t	p	P	f	t	,	0	-	0	0	tsm_handler_in	tsm_handler_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3361	pg_ndistinct	11	10	-1	f	b	Z	f	t	,	0	-	0	0	pg_ndistinct_in	pg_ndistinct_out	pg_ndistinct_recv	pg_ndistinct_send	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
3402	pg_dependencies	11	10	-1	f	b	Z	f	t	,	0	-	0	0	pg_dependencies_in	pg_dependencies_out	pg_dependencies_recv	pg_dependencies_send	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
3500	anyenum	11	10	4	t	p	P	f	t	,	0	-	0	0	anyenum_in	anyenum_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3614	tsvector	11	10	-1	f	b	U	f	t	,	0	-	0	3643	tsvectorin	tsvectorout	tsvectorrecv	tsvectorsend	-	-	ts_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3615	tsquery	11	10	-1	f	b	U	f	t	,	0	-	0	3645	tsqueryin	tsqueryout	tsqueryrecv	tsquerysend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3642	gtsvector	11	10	-1	f	b	U	f	t	,	0	-	0	3644	gtsvectorin	gtsvectorout	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3643	_tsvector	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3614	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3644	_gtsvector	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3642	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3645	_tsquery	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3615	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3734	regconfig	11	10	4	t	b	N	f	t	,	0	-	0	3735	regconfigin	regconfigout	regconfigrecv	regconfigsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3735	_regconfig	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3734	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3769	regdictionary	11	10	4	t	b	N	f	t	,	0	-	0	3770	regdictionaryin	regdictionaryout	regdictionaryrecv	regdictionarysend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3770	_regdictionary	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3769	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3802	jsonb	11	10	-1	f	b	U	f	t	,	0	jsonb_subscript_handler	0	3807	jsonb_in	jsonb_out	jsonb_recv	jsonb_send	-	-	-	i	x	f	0	-1	0	0	\N	\N	\N
3807	_jsonb	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3802	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3831	anyrange	11	10	-1	f	p	P	f	t	,	0	-	0	0	anyrange_in	anyrange_out	-	-	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
3838	event_trigger	11	10	4	t	p	P	f	t	,	0	-	0	0	event_trigger_in	event_trigger_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
3904	int4range	11	10	-1	f	r	R	f	t	,	0	-	0	3905	range_in	range_out	range_recv	range_send	-	-	range_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3905	_int4range	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3904	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3906	numrange	11	10	-1	f	r	R	f	t	,	0	-	0	3907	range_in	range_out	range_recv	range_send	-	-	range_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3907	_numrange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3906	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3908	tsrange	11	10	-1	f	r	R	f	t	,	0	-	0	3909	range_in	range_out	range_recv	range_send	-	-	range_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
3909	_tsrange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3908	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
3910	tstzrange	11	10	-1	f	r	R	f	t	,	0	-	0	3911	range_in	range_out	range_recv	range_send	-	-	range_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
3911	_tstzrange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3910	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
3912	daterange	11	10	-1	f	r	R	f	t	,	0	-	0	3913	range_in	range_out	range_recv	range_send	-	-	range_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3913	_daterange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3912	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
3926	int8range	11	10	-1	f	r	R	f	t	,	0	-	0	3927	range_in	range_out	range_recv	range_send	-	-	range_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
3927	_int8range	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	3926	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
4072	jsonpath	11	10	-1	f	b	U	f	t	,	0	-	0	4073	jsonpath_in	jsonpath_out	jsonpath_recv	jsonpath_send	-	-	-	i	x	f	0	-1	0	0	\N	\N	\N
4073	_jsonpath	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4072	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4089	regnamespace	11	10	4	t	b	N	f	t	,	0	-	0	4090	regnamespacein	regnamespaceout	regnamespacerecv	regnamespacesend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
4090	_regnamespace	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4089	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4096	regrole	11	10	4	t	b	N	f	t	,	0	-	0	4097	regrolein	regroleout	regrolerecv	regrolesend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
4097	_regrole	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4096	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4191	regcollation	11	10	4	t	b	N	f	t	,	0	-	0	4192	regcollationin	regcollationout	regcollationrecv	regcollationsend	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
4192	_regcollation	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4191	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4451	int4multirange	11	10	-1	f	m	R	f	t	,	0	-	0	6150	multirange_in	multirange_out	multirange_recv	multirange_send	-	-	multirange_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4532	nummultirange	11	10	-1	f	m	R	f	t	,	0	-	0	6151	multirange_in	multirange_out	multirange_recv	multirange_send	-	-	multirange_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4533	tsmultirange	11	10	-1	f	m	R	f	t	,	0	-	0	6152	multirange_in	multirange_out	multirange_recv	multirange_send	-	-	multirange_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
4534	tstzmultirange	11	10	-1	f	m	R	f	t	,	0	-	0	6153	multirange_in	multirange_out	multirange_recv	multirange_send	-	-	multirange_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
4535	datemultirange	11	10	-1	f	m	R	f	t	,	0	-	0	6155	multirange_in	multirange_out	multirange_recv	multirange_send	-	-	multirange_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
4536	int8multirange	11	10	-1	f	m	R	f	t	,	0	-	0	6157	multirange_in	multirange_out	multirange_recv	multirange_send	-	-	multirange_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
4537	anymultirange	11	10	-1	f	p	P	f	t	,	0	-	0	0	anymultirange_in	anymultirange_out	-	-	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
4538	anycompatiblemultirange	11	10	-1	f	p	P	f	t	,	0	-	0	0	anycompatiblemultirange_in	anycompatiblemultirange_out	-	-	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
4600	pg_brin_bloom_summary	11	10	-1	f	b	Z	f	t	,	0	-	0	0	brin_bloom_summary_in	brin_bloom_summary_out	brin_bloom_summary_recv	brin_bloom_summary_send	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
4601	pg_brin_minmax_multi_summary	11	10	-1	f	b	Z	f	t	,	0	-	0	0	brin_minmax_multi_summary_in	brin_minmax_multi_summary_out	brin_minmax_multi_summary_recv	brin_minmax_multi_summary_send	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
5017	pg_mcv_list	11	10	-1	f	b	Z	f	t	,	0	-	0	0	pg_mcv_list_in	pg_mcv_list_out	pg_mcv_list_recv	pg_mcv_list_send	-	-	-	i	x	f	0	-1	0	100	\N	\N	\N
5038	pg_snapshot	11	10	-1	f	b	U	f	t	,	0	-	0	5039	pg_snapshot_in	pg_snapshot_out	pg_snapshot_recv	pg_snapshot_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
5039	_pg_snapshot	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	5038	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
5069	xid8	11	10	8	t	b	U	f	t	,	0	-	0	271	xid8in	xid8out	xid8recv	xid8send	-	-	-	d	p	f	0	-1	0	0	\N	\N	\N
5077	anycompatible	11	10	4	t	p	P	f	t	,	0	-	0	0	anycompatible_in	anycompatible_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
5078	anycompatiblearray	11	10	-1	f	p	P	f	t	,	0	-	0	0	anycompatiblearray_in	anycompatiblearray_out	anycompatiblearray_recv	anycompatiblearray_send	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
5079	anycompatiblenonarray	11	10	4	t	p	P	f	t	,	0	-	0	0	anycompatiblenonarray_in	anycompatiblenonarray_out	-	-	-	-	-	i	p	f	0	-1	0	0	\N	\N	\N
5080	anycompatiblerange	11	10	-1	f	p	P	f	t	,	0	-	0	0	anycompatiblerange_in	anycompatiblerange_out	-	-	-	-	-	d	x	f	0	-1	0	0	\N	\N	\N
6150	_int4multirange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4451	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
6151	_nummultirange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4532	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
6152	_tsmultirange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4533	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
6153	_tstzmultirange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4534	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
6155	_datemultirange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4535	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	i	x	f	0	-1	0	0	\N	\N	\N
6157	_int8multirange	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4536	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10000	_pg_attrdef	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10001	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10002	_pg_constraint	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10003	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10004	_pg_inherits	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10005	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10006	_pg_index	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10007	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10008	_pg_operator	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10009	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10010	_pg_opfamily	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10011	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10012	_pg_opclass	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10013	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10014	_pg_am	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10015	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10016	_pg_amop	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10017	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10018	_pg_amproc	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10019	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10020	_pg_language	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10021	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10022	_pg_largeobject_metadata	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10023	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10024	_pg_largeobject	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10025	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10026	_pg_aggregate	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10027	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10028	_pg_statistic	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10029	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10030	_pg_statistic_ext	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10031	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10032	_pg_statistic_ext_data	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10033	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10034	_pg_rewrite	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10035	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10036	_pg_trigger	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10037	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10038	_pg_event_trigger	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10039	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10040	_pg_description	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10041	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10042	_pg_cast	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10043	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10044	_pg_enum	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10045	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10046	_pg_namespace	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10047	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10048	_pg_conversion	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10049	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10050	_pg_depend	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10051	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10052	_pg_database	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	1248	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10053	_pg_db_role_setting	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10054	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10055	_pg_tablespace	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10056	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10057	_pg_authid	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2842	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10058	_pg_auth_members	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	2843	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10059	_pg_shdepend	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10060	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10061	_pg_shdescription	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10062	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10063	_pg_ts_config	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10064	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10065	_pg_ts_config_map	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10066	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10067	_pg_ts_dict	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10068	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10069	_pg_ts_parser	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10070	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10071	_pg_ts_template	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10072	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10073	_pg_extension	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10074	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10075	_pg_foreign_data_wrapper	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10076	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10077	_pg_foreign_server	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10078	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10079	_pg_user_mapping	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10080	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10081	_pg_foreign_table	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10082	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10083	_pg_policy	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10084	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10085	_pg_replication_origin	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10086	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10087	_pg_default_acl	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10088	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10089	_pg_init_privs	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10090	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10091	_pg_seclabel	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10092	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10093	_pg_shseclabel	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	4066	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10094	_pg_collation	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10095	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10096	_pg_parameter_acl	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10097	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10098	_pg_partitioned_table	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10099	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10100	_pg_range	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10101	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10102	_pg_transform	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10103	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10104	_pg_sequence	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10105	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10106	_pg_publication	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10107	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10108	_pg_publication_namespace	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10109	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10110	_pg_publication_rel	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10111	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10112	_pg_subscription	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	6101	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
10113	_pg_subscription_rel	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	10114	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12001	_pg_roles	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12002	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12006	_pg_shadow	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12007	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12011	_pg_group	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12012	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12015	_pg_user	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12016	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12019	_pg_policies	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12020	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12024	_pg_rules	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12025	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12029	_pg_views	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12030	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12034	_pg_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12035	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12039	_pg_matviews	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12040	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12044	_pg_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12045	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12049	_pg_sequences	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12050	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12054	_pg_stats	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12055	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12059	_pg_stats_ext	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12060	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12064	_pg_stats_ext_exprs	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12065	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12069	_pg_publication_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12070	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12074	_pg_locks	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12075	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12078	_pg_cursors	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12079	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12082	_pg_available_extensions	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12083	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12086	_pg_available_extension_versions	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12087	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12091	_pg_prepared_xacts	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12092	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12096	_pg_prepared_statements	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12097	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12100	_pg_seclabels	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12101	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12105	_pg_settings	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12106	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12111	_pg_file_settings	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12112	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12115	_pg_hba_file_rules	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12116	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12119	_pg_ident_file_mappings	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12120	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12123	_pg_timezone_abbrevs	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12124	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12127	_pg_timezone_names	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12128	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12131	_pg_config	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12132	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12135	_pg_shmem_allocations	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12136	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12139	_pg_backend_memory_contexts	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12140	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12143	_pg_stat_all_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12144	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12148	_pg_stat_xact_all_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12149	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12153	_pg_stat_sys_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12154	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12158	_pg_stat_xact_sys_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12159	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12162	_pg_stat_user_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12163	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12167	_pg_stat_xact_user_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12168	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12171	_pg_statio_all_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12172	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12176	_pg_statio_sys_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12177	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12180	_pg_statio_user_tables	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12181	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12184	_pg_stat_all_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12185	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12189	_pg_stat_sys_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12190	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12193	_pg_stat_user_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12194	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12197	_pg_statio_all_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12198	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12202	_pg_statio_sys_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12203	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12206	_pg_statio_user_indexes	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12207	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12210	_pg_statio_all_sequences	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12211	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12215	_pg_statio_sys_sequences	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12216	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12219	_pg_statio_user_sequences	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12220	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12223	_pg_stat_activity	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12224	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12228	_pg_stat_replication	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12229	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12233	_pg_stat_slru	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12234	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12237	_pg_stat_wal_receiver	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12238	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12241	_pg_stat_recovery_prefetch	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12242	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12245	_pg_stat_subscription	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12246	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12250	_pg_stat_ssl	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12251	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12254	_pg_stat_gssapi	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12255	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12258	_pg_replication_slots	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12259	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12263	_pg_stat_replication_slots	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12264	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12267	_pg_stat_database	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12268	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12272	_pg_stat_database_conflicts	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12273	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12276	_pg_stat_user_functions	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12277	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12281	_pg_stat_xact_user_functions	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12282	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12286	_pg_stat_archiver	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12287	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12290	_pg_stat_bgwriter	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12291	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12294	_pg_stat_wal	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12295	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12298	_pg_stat_progress_analyze	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12299	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12303	_pg_stat_progress_vacuum	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12304	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12308	_pg_stat_progress_cluster	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12309	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12313	_pg_stat_progress_create_index	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12314	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12318	_pg_stat_progress_basebackup	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12319	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12323	_pg_stat_progress_copy	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12324	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12328	_pg_user_mappings	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12329	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12333	_pg_replication_origin_status	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12334	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
12337	_pg_stat_subscription_stats	11	10	-1	f	b	A	f	t	,	0	array_subscript_handler	12338	0	array_in	array_out	array_recv	array_send	-	-	array_typanalyze	d	x	f	0	-1	0	0	\N	\N	\N
`

// pg15AccessMethods are pg_am.
const pg15AccessMethods = `2	heap	heap_tableam_handler	t
403	btree	bthandler	i
405	hash	hashhandler	i
783	gist	gisthandler	i
2742	gin	ginhandler	i
3580	brin	brinhandler	i
4000	spgist	spghandler	i
`

// pg15Collations are pg_collation's default, C and POSIX.
const pg15Collations = `100	default	11	10	d	t	-1	\N	\N	\N	\N
950	C	11	10	c	t	-1	C	C	\N	\N
951	POSIX	11	10	c	t	-1	POSIX	POSIX	\N	\N
`

// pg15Tablespaces are pg_tablespace.
const pg15Tablespaces = `1663	pg_default	10	\N	\N
1664	pg_global	10	\N	\N
`

// pg15Languages are pg_language.
const pg15Languages = `12	internal	10	f	f	0	0	2246	\N
13	c	10	f	f	0	0	2247	\N
14	sql	10	f	t	0	0	2248	\N
13563	plpgsql	10	t	t	13560	13561	13562	\N
`
