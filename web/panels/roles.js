// @ts-check
// The data panel's schema view and roles editor: the columns the CSV has (type, empty
// cells, role), one selector per role of the core's registry (fc.registry(): names,
// labels, help; nothing listed here) and how rows are read (each row one lead; intervals
// without a row as 0). Column names come from the CSV, so they only ever reach the page
// as text.
import { $, $input, $select, $table, el } from '../dom.js';
import * as F from '../format.js';

/** @import * as FC from '../../wasm/funnelcast' */
/** @import { PageSchema } from '../types' */

// The roles to offer: the registry's, or (should it be missing) the schema's own keys.
/** @type {(registry: FC.Registry | null, s: PageSchema) => Array<{name: string, label: string, help: string}>} */
const rolesOf = (registry, s) => (registry ? registry.roles : Object.keys(s.roles).map((name) => ({ name, label: name, help: '' })));

/** @param {FC.Registry | null} registry @param {string} name */
export function roleLabel(registry, name) {
  const role = registry && registry.roles.find((r) => r.name === name);
  return role ? role.label : name;
}

// Shows schema `s` (the shown table's, or a newly loaded one's whose roles need fixing).
/** @param {PageSchema | null} s @param {FC.Registry | null} registry */
export function renderSchema(s, registry) {
  if (!s) return;
  const summary = [`${s.source}`, `${F.fmtCount(s.rows)} rows`, `${s.columns.length} columns`];
  if (s.ok) {
    summary.push(`${F.fmtCount(s.intervals)} ${F.intervalName(s.step, s.intervals)} (${F.fmtTime(s.start, s.step)} → ${F.fmtTime(s.end - s.step, s.step)})`);
    if (s.channels.length) summary.push(`${s.channels.length} channels`);
    if (s.countedEvents) summary.push('each row counted as one lead');
    if (s.spendDerived) summary.push('spend = CPL × leads');
    if (s.revenueDerived) summary.push('revenue = spend × (1 + ROI)');
    if (s.emptyIntervals) summary.push(`${F.fmtCount(s.emptyIntervals)} ${F.intervalName(s.step, s.emptyIntervals)} without rows`);
  } else {
    summary.push('roles need fixing');
  }
  $('schema-summary').textContent = `· ${summary.join(' · ')}`;

  const roles = rolesOf(registry, s);
  /** @type {HTMLSelectElement[]} */
  const selects = [];
  $('roles-grid').replaceChildren(
    ...roles.map((role) => {
      const select = el('select', { id: `role-${role.name}`, name: role.name, title: role.help });
      select.append(el('option', { value: '', text: '— none —' }));
      s.columns.forEach((c, i) => select.append(el('option', { value: String(i), text: `${c.name} (${c.type})` })));
      const idx = s.columns.findIndex((c) => c.name === s.roles[/** @type {FC.RoleName} */ (role.name)]);
      select.value = idx >= 0 ? String(idx) : '';
      // A column plays one role: picking it here takes it from the role that had it.
      select.addEventListener('change', () => {
        for (const other of selects) if (other !== select && select.value !== '' && other.value === select.value) other.value = '';
      });
      selects.push(select);
      return el('label', { class: 'role', title: role.help }, el('span', { text: role.label }), select);
    }),
  );

  $input('read-events').checked = !!s.events;
  $input('read-gaps').checked = s.gaps === 'zero';
  $('read-gaps-label').textContent = `${s.step ? F.intervalName(s.step, 2).replace(/^./, (c) => c.toUpperCase()) : 'Intervals'} without a row count as 0`;
  syncEvents();

  const roleOf = new Map();
  for (const [role, col] of Object.entries(s.roles)) if (col) roleOf.set(col, [...(roleOf.get(col) || []), roleLabel(registry, role)]);
  $table('schema-table').tBodies[0].replaceChildren(
    ...s.columns.map((c) =>
      el(
        'tr',
        {},
        el('td', { text: c.name }),
        el('td', { text: c.type + (c.levels ? ` (${F.fmtCount(c.levels)} values)` : '') }),
        el('td', { class: 'num', text: F.fmtCount(c.missing) }),
        el('td', { text: (roleOf.get(c.name) || []).join(', ') || '–' }),
      ),
    ),
  );
}

// Rows counted as leads have no leads column.
export function syncEvents() {
  const leads = $select('role-leads');
  if (leads) leads.disabled = $input('read-events').checked;
}

// The roles picked in the editor for schema `s`: a role is pinned ({role: column | null})
// only where the choice differs from what the core detected, so the rest stay the core's
// (and a model's, at forecast time). With rows counted as leads, leads is never pinned.
/** @param {PageSchema} s @param {FC.Registry | null} registry @returns {FC.RoleChoice} */
export function rolesFromForm(s, registry) {
  /** @type {Record<string, string | null>} */
  const roles = {};
  for (const { name } of rolesOf(registry, s)) {
    if (name === 'leads' && $input('read-events').checked) continue;
    const v = $select(`role-${name}`).value;
    const column = v === '' ? null : s.columns[Number(v)].name;
    if (column !== s.detectedRoles[/** @type {FC.RoleName} */ (name)]) roles[name] = column;
  }
  return roles;
}

// The reading options picked in the editor: {events, gaps}.
/** @returns {FC.ReadOptions} */
export function readingFromForm() {
  return { events: $input('read-events').checked, gaps: $input('read-gaps').checked ? 'zero' : 'missing' };
}
