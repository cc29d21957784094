/**
 * The report page's own style and script (the charts are Vega-Lite specs
 * rendered by the vega and vega-lite browser builds inlined beside it). The
 * script reads the JSON embedded in the page and writes text with
 * textContent only: record fields come from git refs anyone could have pushed.
 */

export const REPORT_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f7f8fa; }
header { background: #1d2330; color: #fff; padding: 12px 24px; }
header h1 { margin: 0; font-size: 20px; }
main { padding: 8px 24px 40px; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px 16px; margin: 16px 0; overflow-x: auto; }
h2 { font-size: 16px; margin: 0 0 8px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border-bottom: 1px solid #eceff3; padding: 3px 8px; text-align: left; white-space: nowrap; }
th[data-key] { cursor: pointer; user-select: none; }
th.sorted-asc::after { content: ' ▲'; } th.sorted-desc::after { content: ' ▼'; }
.controls { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.empty { color: #7a8294; font-style: italic; }
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cairn-data').textContent);
  var PAGE = 100;
  var records = data.records;

  function distinct(list) { return Array.from(new Set(list)).sort(); }
  var paramNames = distinct([].concat.apply([], records.map(function (r) { return Object.keys(r.params); }))).slice(0, 10);
  var metricNames = distinct([].concat.apply([], records.map(function (r) { return Object.keys(r.metrics); }))).slice(0, 10);
  var columns = ['id', 'project', 'kind', 'status', 'created']
    .concat(paramNames.map(function (n) { return 'params.' + n; }))
    .concat(metricNames.map(function (n) { return 'metrics.' + n; }));

  function field(record, key) {
    var dot = key.indexOf('.');
    if (dot < 0) return record[key];
    var group = record[key.slice(0, dot)];
    var name = key.slice(dot + 1);
    return group && Object.prototype.hasOwnProperty.call(group, name) ? group[name] : undefined;
  }
  function text(value) {
    if (value === undefined || value === null) return '';
    if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(5)));
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  // "key op value" compares one field; anything else matches text anywhere in the row.
  function matcher(query) {
    query = query.trim();
    if (!query) return function () { return true; };
    var m = /^([A-Za-z_][\\w.-]*)\\s*(>=|<=|!=|==|=|>|<|~)\\s*(.+)$/.exec(query);
    if (m) {
      var key = m[1], op = m[2], raw = m[3].replace(/^['"]|['"]$/g, ''), num = Number(raw);
      return function (r) {
        var v = field(r, key);
        if (v === undefined) v = field(r, 'metrics.' + key);
        if (v === undefined || v === null) return op === '!=';
        var numeric = typeof v === 'number' && !isNaN(num);
        var a = numeric ? v : String(v), b = numeric ? num : raw;
        switch (op) {
          case '>': return a > b; case '>=': return a >= b; case '<': return a < b; case '<=': return a <= b;
          case '!=': return a !== b; case '~': return String(v).indexOf(raw) >= 0; default: return a === b;
        }
      };
    }
    var needle = query.toLowerCase();
    return function (r) { return columns.some(function (c) { return text(field(r, c)).toLowerCase().indexOf(needle) >= 0; }); };
  }

  var sortKey = 'created', sortDir = -1, page = 0, shown = records;
  var table = document.getElementById('experiments');
  function renderTable() {
    var head = document.createElement('tr');
    columns.forEach(function (c) {
      var th = document.createElement('th');
      th.textContent = c;
      th.dataset.key = c;
      if (c === sortKey) th.className = sortDir > 0 ? 'sorted-asc' : 'sorted-desc';
      head.appendChild(th);
    });
    table.tHead.replaceChildren(head);
    var rows = shown.slice(page * PAGE, page * PAGE + PAGE).map(function (r) {
      var tr = document.createElement('tr');
      columns.forEach(function (c) {
        var td = document.createElement('td');
        td.textContent = text(field(r, c));
        tr.appendChild(td);
      });
      return tr;
    });
    table.tBodies[0].replaceChildren.apply(table.tBodies[0], rows);
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    document.getElementById('count').textContent = shown.length + ' of ' + records.length;
    document.getElementById('page').textContent = 'page ' + (page + 1) + ' / ' + pages;
  }
  function update() {
    var match = matcher(document.getElementById('filter').value);
    shown = records.filter(match);
    shown.sort(function (a, b) {
      var x = field(a, sortKey), y = field(b, sortKey);
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sortDir;
    });
    page = Math.min(page, Math.max(0, Math.ceil(shown.length / PAGE) - 1));
    renderTable();
  }
  table.tHead.addEventListener('click', function (event) {
    var key = event.target.dataset && event.target.dataset.key;
    if (!key) return;
    sortDir = key === sortKey ? -sortDir : -1;
    sortKey = key;
    update();
  });
  document.getElementById('filter').addEventListener('input', function () { page = 0; update(); });
  document.getElementById('prev').addEventListener('click', function () { if (page > 0) { page--; renderTable(); } });
  document.getElementById('next').addEventListener('click', function () {
    if ((page + 1) * PAGE < shown.length) { page++; renderTable(); }
  });
  document.getElementById('summary').textContent =
    records.length + ' experiment records · generated ' + data.generated;
  update();

  function empty(container, message) {
    var p = document.createElement('p');
    p.className = 'empty';
    p.textContent = message;
    container.appendChild(p);
  }
  function chart(container, title, spec) {
    var div = document.createElement('div');
    div.className = 'chart';
    div.dataset.title = title;
    container.appendChild(div);
    var compiled = vegaLite.compile(Object.assign({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: title }, spec)).spec;
    var view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: div, hover: true });
    return view.runAsync().then(function () {
      div.dataset.marks = String(div.querySelectorAll('svg path, svg rect, svg line, svg text').length);
      div.dataset.rendered = 'true';
    });
  }
  var drawn = [];

  // Parallel coordinates: the project with the most records having numeric params, each param scaled to [0, 1].
  (function () {
    var container = document.getElementById('parallel');
    var byProject = {};
    records.forEach(function (r) {
      if (r.status !== 'succeeded') return;
      (byProject[r.project] = byProject[r.project] || []).push(r);
    });
    var best = Object.keys(byProject).sort(function (a, b) { return byProject[b].length - byProject[a].length; })[0];
    var group = best ? byProject[best] : [];
    var numeric = distinct([].concat.apply([], group.map(function (r) {
      return Object.keys(r.params).filter(function (k) { return typeof r.params[k] === 'number'; });
    })));
    var objective = distinct([].concat.apply([], group.map(function (r) { return Object.keys(r.metrics); })))[0];
    if (group.length < 2 || numeric.length === 0 || !objective) return empty(container, 'no study with numeric params yet');
    var axes = numeric.concat([objective]);
    var rows = [];
    group.slice(0, 2000).forEach(function (r, index) {
      axes.forEach(function (axis) {
        var v = axis === objective ? r.metrics[objective] : r.params[axis];
        if (typeof v === 'number') rows.push({ run: index, axis: axis, value: v, objective: r.metrics[objective] });
      });
    });
    drawn.push(chart(container, best + ': params vs ' + objective, {
      width: Math.max(300, axes.length * 120), height: 260,
      data: { values: rows },
      transform: [
        { joinaggregate: [{ op: 'min', field: 'value', as: 'min' }, { op: 'max', field: 'value', as: 'max' }], groupby: ['axis'] },
        { calculate: 'datum.max === datum.min ? 0.5 : (datum.value - datum.min) / (datum.max - datum.min)', as: 'scaled' }
      ],
      mark: { type: 'line', opacity: 0.6 },
      encoding: {
        x: { field: 'axis', type: 'nominal', sort: axes, title: null },
        y: { field: 'scaled', type: 'quantitative', axis: null },
        detail: { field: 'run', type: 'nominal' },
        color: { field: 'objective', type: 'quantitative', title: objective },
        tooltip: [{ field: 'axis' }, { field: 'value' }]
      }
    }));
  })();

  (function () {
    var container = document.getElementById('curves');
    if (data.curves.length === 0) return empty(container, 'no run logged per-step values yet');
    drawn.push(chart(container, 'per-step values (newest runs)', {
      data: { values: data.curves },
      facet: { row: { field: 'metric', type: 'nominal' } },
      spec: {
        width: 520, height: 160,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color: { field: 'id', type: 'nominal', legend: null },
          tooltip: [{ field: 'id' }, { field: 'project' }, { field: 'step' }, { field: 'value' }]
        }
      },
      resolve: { scale: { y: 'independent' } }
    }));
  })();

  (function () {
    var container = document.getElementById('confusion');
    if (data.plots.confusion.length === 0) return empty(container, 'no evaluated classifier yet');
    data.plots.confusion.forEach(function (spec) { drawn.push(chart(container, spec.title, spec)); });
  })();

  (function () {
    var container = document.getElementById('roc');
    if (!data.plots.roc && !data.plots.pr) return empty(container, 'no evaluated binary classifier yet');
    [data.plots.roc, data.plots.pr].forEach(function (spec) { if (spec) drawn.push(chart(container, spec.title, spec)); });
  })();

  (function () {
    var container = document.getElementById('importance');
    var byProject = {};
    data.importance.forEach(function (f) { (byProject[f.project] = byProject[f.project] || []).push(f); });
    var names = Object.keys(byProject);
    if (names.length === 0) return empty(container, 'no explain/importance.json yet');
    names.forEach(function (project) {
      // sorted here, largest first: the y axis keeps data order (a sort per layer would conflict)
      var rows = byProject[project].slice().sort(function (a, b) { return b.importanceMean - a.importanceMean; }).map(function (f) {
        return { feature: f.feature, mean: f.importanceMean, low: f.importanceMean - f.importanceStd, high: f.importanceMean + f.importanceStd };
      });
      drawn.push(chart(container, project + ': permutation importance', {
        width: 360, data: { values: rows },
        encoding: { y: { field: 'feature', type: 'nominal', sort: null } },
        layer: [
          { mark: 'bar', encoding: { x: { field: 'mean', type: 'quantitative', title: 'importance (mean ± std)' } } },
          { mark: 'rule', encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } }
        ]
      }));
    });
  })();

  (function () {
    var body = document.querySelector('#lineage tbody');
    data.lineage.forEach(function (l) {
      var tr = document.createElement('tr');
      [l.dataset + ' @ ' + (l.datasetHash || '?').slice(0, 12), l.model, l.experiment || '', (l.artifact || '').slice(0, 16)].forEach(function (v) {
        var td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  })();

  Promise.all(drawn).then(function () { document.body.dataset.ready = 'true'; }, function (error) {
    console.error('cairn report: a chart failed: ' + error);
    document.body.dataset.ready = 'error';
  });
})();
`;
