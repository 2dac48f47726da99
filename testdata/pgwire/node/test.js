// Drives weir serve with node-postgres: a simple query, parameters (sent
// untyped, as node-postgres does), an error with its SQLSTATE, and a
// cursor (Execute with a row limit + Flush, answered by PortalSuspended).
const { Client } = require('pg');
const Cursor = require('pg-cursor');

async function main() {
  const client = new Client({ connectionString: process.argv[2] });
  await client.connect();
  const out = [];
  let r = await client.query('SELECT 1 AS one');
  out.push('one=' + JSON.stringify(r.rows[0].one));
  r = await client.query('SELECT $1::text AS a, $2::int4 AS b', ['x', 7]);
  out.push('params=' + JSON.stringify(r.rows[0]));
  r = await client.query('SELECT customer FROM default.orders WHERE customer = $1 AND amount > $2', ['ana', 100]);
  out.push('where=' + JSON.stringify(r.rows));
  try {
    await client.query('SELECT FROM WHERE');
  } catch (e) {
    out.push('error=' + e.code + ' position=' + e.position);
  }
  r = await client.query('SELECT 2 AS two');
  out.push('after=' + r.rows[0].two);
  const cursor = client.query(new Cursor('SELECT orderId::int4 AS id FROM default.orders'));
  const first = await cursor.read(3);
  const rest = await cursor.read(10);
  await cursor.close();
  out.push('cursor=' + JSON.stringify(first.map(x => x.id)) + JSON.stringify(rest.map(x => x.id)));
  await client.end();
  console.log(out.join('\n'));
}

main().catch(e => { console.error(e); process.exit(1); });
