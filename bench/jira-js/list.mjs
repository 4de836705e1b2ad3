// The directory listing that `adminauto sync` does (v2 users search with productAccess,
// groups and platformRoles expanded, then v2 groups search), written the way a user of
// jira.js 6 would: its generic core client, following `links.next` by hand, since jira.js 6
// ships no Organizations API client.
//
// Usage: node list.mjs BASE_URL ORG_ID API_KEY_FILE [PAGE_SIZE]
// Prints one JSON line: {"accounts":N,"groups":G,"calls":C,"ms":T}.
import { readFileSync } from 'node:fs';
import { createClient } from 'jira.js/core';

const [baseUrl, orgId, keyFile, pageSizeArg] = process.argv.slice(2);
if (!baseUrl || !orgId || !keyFile) {
  console.error('usage: node list.mjs BASE_URL ORG_ID API_KEY_FILE [PAGE_SIZE]');
  process.exit(2);
}
const pageSize = Number(pageSizeArg ?? 100);
const token = readFileSync(keyFile, 'utf8').trim();
const client = createClient({ host: baseUrl, auth: { type: 'bearer', token } });
const dir = `/admin/v2/orgs/${encodeURIComponent(orgId)}/directories/-`;

let calls = 0;

// Runs one POST search to its last page and returns every row.
async function searchAll(path, body) {
  const rows = [];
  let cursor;
  do {
    const page = await client.sendRequest({
      url: path,
      method: 'POST',
      body: cursor ? { ...body, cursor } : body,
    });
    calls += 1;
    rows.push(...page.data);
    cursor = page.links?.next ?? undefined;
  } while (cursor);
  return rows;
}

const started = process.hrtime.bigint();
const users = await searchAll(`${dir}/users/search`, {
  limit: pageSize,
  expand: ['productAccess', 'groups', 'platformRoles'],
});
const groups = await searchAll(`${dir}/groups/search`, { limit: pageSize });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(JSON.stringify({ accounts: users.length, groups: groups.length, calls, ms }));
