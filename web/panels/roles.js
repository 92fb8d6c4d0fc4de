// The data panel's schema view and roles editor: the columns the CSV has (type, empty
// cells, role) and one selector per role. Column names come from the CSV, so they only
// ever reach the page as text.
import { $, el } from '../dom.js';
import * as F from '../format.js';

export const ROLE_LABELS = {
  time: 'Time',
  leads: 'Leads',
  spend: 'Spend',
  revenue: 'Revenue',
  cpl: 'CPL',
  roi: 'ROI',
  channel: 'Channel',
  clicks: 'Clicks',
};

// Shows schema `s` (the shown table's, or a newly loaded one's whose roles need fixing).
export function renderSchema(s) {
  if (!s) return;
  const summary = [`${s.source}`, `${F.fmtCount(s.rows)} rows`, `${s.columns.length} columns`];
  if (s.ok) {
    summary.push(`${F.fmtCount(s.hours)} hours (${F.fmtDay(s.start)} → ${F.fmtDay(s.end - 3600)})`);
    if (s.channels.length) summary.push(`${s.channels.length} channels`);
    if (s.eventLevel) summary.push('event rows summed per hour');
    if (s.spendDerived) summary.push('spend = CPL × leads');
    if (s.revenueDerived) summary.push('revenue = spend × (1 + ROI)');
    if (s.emptyHours) summary.push(`${F.fmtCount(s.emptyHours)} hours without rows`);
  } else {
    summary.push('roles need fixing');
  }
  $('schema-summary').textContent = `· ${summary.join(' · ')}`;

  $('roles-grid').replaceChildren(
    ...Object.entries(ROLE_LABELS).map(([role, label]) => {
      const select = el('select', { id: `role-${role}`, name: role });
      select.append(el('option', { value: '', text: '— none —' }));
      s.columns.forEach((c, i) => select.append(el('option', { value: String(i), text: `${c.name} (${c.type})` })));
      const current = s.roles[role];
      const idx = s.columns.findIndex((c) => c.name === current);
      select.value = idx >= 0 ? String(idx) : '';
      return el('label', { class: 'role' }, el('span', { text: label }), select);
    }),
  );

  const roleOf = new Map();
  for (const [role, col] of Object.entries(s.roles)) if (col) roleOf.set(col, [...(roleOf.get(col) || []), ROLE_LABELS[role]]);
  $('schema-table').tBodies[0].replaceChildren(
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

// The roles picked in the editor for schema `s`: {role: column name | null}.
export function rolesFromForm(s) {
  const roles = {};
  for (const role of Object.keys(ROLE_LABELS)) {
    const v = $(`role-${role}`).value;
    roles[role] = v === '' ? null : s.columns[Number(v)].name;
  }
  return roles;
}
