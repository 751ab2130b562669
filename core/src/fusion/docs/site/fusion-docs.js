// Fusion's documentation site: reads manifest.json, catalog.json and lineage.json from the folder
// it is served from. Project text (names, descriptions, SQL) is untrusted: it only ever becomes
// text nodes (textContent), never markup.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const TREE_GROUPS = [["model", "Models"], ["seed", "Seeds"], ["snapshot", "Snapshots"], ["source", "Sources"],
                     ["analysis", "Analyses"], ["exposure", "Exposures"]];
const data = {manifest: null, catalog: null, lineage: null};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadJson(name, required) {
  const inline = document.getElementById(`data-${name}`);  // static_index.html carries its data
  if (inline) return JSON.parse(inline.textContent);
  try {
    const response = await fetch(name, {cache: "no-store"});
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return await response.json();
  } catch (error) {
    if (required) throw error;
    return null;
  }
}

// --- descriptions: a small markdown subset, built as DOM nodes ------------------------------
// Paragraphs, "-"/"*" lists, headings, fenced code, `code`, **bold**, *italic* and http(s) links;
// anything else stays as the text it is.
const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))/;

function inline(text) {
  const out = [];
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) { out.push(rest); break; }
    if (match.index) out.push(rest.slice(0, match.index));
    const token = match[0];
    if (match[1]) out.push(el("code", {}, token.slice(1, -1)));
    else if (match[2]) out.push(el("strong", {}, ...inline(token.slice(2, -2))));
    else if (match[3]) out.push(el("em", {}, ...inline(token.slice(1, -1))));
    else {
      const [, words, url] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
      out.push(/^https?:\/\//i.test(url) ? el("a", {href: url, rel: "noopener noreferrer"}, words) : token);
    }
    rest = rest.slice(match.index + token.length);
  }
  return out;
}

function markdown(text) {
  const box = el("div", {class: "markdown"});
  const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
  let paragraph = [], list = null, fence = null;
  const flush = () => {
    if (paragraph.length) box.append(el("p", {}, ...inline(paragraph.join(" "))));
    paragraph = [];
    list = null;
  };
  for (const line of lines) {
    if (fence !== null) {
      if (/^\s*```/.test(line)) { box.append(el("pre", {}, el("code", {}, fence.join("\n")))); fence = null; }
      else fence.push(line);
      continue;
    }
    const item = /^\s*[-*]\s+(.*)$/.exec(line), heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (/^\s*```/.test(line)) { flush(); fence = []; }
    else if (!line.trim()) flush();
    else if (heading) { flush(); box.append(el(`h${Math.min(6, heading[1].length + 2)}`, {}, ...inline(heading[2]))); }
    else if (item) {
      if (paragraph.length) { const keep = list; flush(); list = keep; }
      if (!list) { list = el("ul"); box.append(list); }
      list.append(el("li", {}, ...inline(item[1])));
    } else if (list && /^\s+/.test(line)) list.lastChild.append(" ", ...inline(line.trim()));
    else { list = null; paragraph.push(line.trim()); }
  }
  if (fence !== null) box.append(el("pre", {}, el("code", {}, fence.join("\n"))));
  flush();
  return box;
}

// --- the project's objects ------------------------------------------------------------------
function objects() {
  const m = data.manifest;
  return {...m.nodes, ...m.sources, ...(m.exposures || {})};
}

function objectFor(uid) {
  return objects()[uid];
}

function label(uid) {
  const obj = objectFor(uid);
  if (!obj) return uid;
  return obj.resource_type === "source" ? `${obj.source_name}.${obj.name}` : obj.name;
}

function link(uid, column) {
  return "#" + new URLSearchParams(column ? {node: uid, column} : {node: uid}).toString();
}

function catalogEntry(uid) {
  const c = data.catalog;
  if (!c) return null;
  return (c.nodes && c.nodes[uid]) || (c.sources && c.sources[uid]) || null;
}

function lineageColumns(uid) {
  const l = data.lineage;
  return (l && l.nodes && l.nodes[uid] && l.nodes[uid].columns) || {};
}

// Columns in the warehouse's order, then those only the YAML or the analysis knows.
function columnsOf(uid, obj) {
  const rows = new Map();
  const add = (name, fields) => {
    const key = name.toLowerCase();
    rows.set(key, {name, type: "", description: "", ...(rows.get(key) || {}), ...fields});
  };
  const entry = catalogEntry(uid);
  if (entry) {
    Object.values(entry.columns).sort((a, b) => a.index - b.index)
      .forEach((c) => add(c.name, {type: c.type || ""}));
  }
  for (const [name, info] of Object.entries(lineageColumns(uid))) {
    const key = name.toLowerCase();
    if (!rows.has(key) || !rows.get(key).type) add(name, {type: info.data_type || ""});
  }
  for (const [name, col] of Object.entries(obj.columns || {})) {
    const key = name.toLowerCase();
    const known = rows.get(key);
    add(known ? known.name : name, {description: col.description || "",
                                    type: (known && known.type) || col.data_type || ""});
  }
  return [...rows.values()];
}

function testsOn(uid) {
  const tests = [];
  for (const child of data.manifest.child_map[uid] || []) {
    const test = data.manifest.nodes[child];
    if (test && test.resource_type === "test") tests.push(test);
  }
  return tests.sort((a, b) => testName(a).localeCompare(testName(b)) || a.name.localeCompare(b.name));
}

function testName(test) {
  const meta = test.test_metadata;
  return meta ? meta.name : test.name;
}

// --- the tree ---------------------------------------------------------------------------------
function buildTree(filter) {
  const tree = document.getElementById("tree");
  tree.replaceChildren();
  const needle = (filter || "").toLowerCase();
  const all = objects();
  for (const [type, title] of TREE_GROUPS) {
    const members = Object.values(all).filter((o) => o.resource_type === type
      && (!needle || label(o.unique_id).toLowerCase().includes(needle)));
    if (!members.length) continue;
    const group = el("details", {open: "", "data-type": type}, el("summary", {}, `${title} (${members.length})`));
    const folders = new Map();
    for (const obj of members.sort((a, b) => label(a.unique_id).localeCompare(label(b.unique_id)))) {
      const folder = type === "source" ? obj.source_name
        : (obj.original_file_path || "").split("/").slice(0, -1).join("/") || ".";
      if (!folders.has(folder)) folders.set(folder, []);
      folders.get(folder).push(obj);
    }
    for (const [folder, objs] of [...folders.entries()].sort()) {
      const sub = el("details", {open: ""}, el("summary", {}, folder));
      for (const obj of objs) {
        sub.append(el("a", {href: link(obj.unique_id), "data-uid": obj.unique_id, title: obj.unique_id}, obj.name));
      }
      group.append(sub);
    }
    tree.append(group);
  }
}

// --- graphs -----------------------------------------------------------------------------------
// Boxes laid out in layers (layer -> list of {key, text, href, focus}); edges are [fromKey, toKey, direct].
function layeredGraph(layers, edges, testId) {
  const width = 190, height = 28, gapX = 70, gapY = 12, pad = 10;
  const order = [...layers.keys()].sort((a, b) => a - b);
  const rows = Math.max(1, ...order.map((k) => layers.get(k).length));
  const svgWidth = pad * 2 + order.length * width + (order.length - 1) * gapX;
  const svgHeight = pad * 2 + rows * height + (rows - 1) * gapY;
  const root = svg("svg", {width: svgWidth, height: svgHeight, viewBox: `0 0 ${svgWidth} ${svgHeight}`,
                           "data-testid": testId});
  const at = new Map();
  order.forEach((layer, i) => {
    const boxes = layers.get(layer);
    const offset = (svgHeight - boxes.length * height - (boxes.length - 1) * gapY) / 2;
    boxes.forEach((box, j) => at.set(box.key, {x: pad + i * (width + gapX), y: offset + j * (height + gapY), box}));
  });
  for (const [from, to, direct] of edges) {
    const a = at.get(from), b = at.get(to);
    if (!a || !b) continue;
    const x1 = a.x + width, y1 = a.y + height / 2, x2 = b.x, y2 = b.y + height / 2, mid = (x1 + x2) / 2;
    root.append(svg("path", {d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: direct ? "direct" : ""}));
  }
  for (const {x, y, box} of at.values()) {
    const group = svg("g", {class: box.focus ? "box focus" : "box", "data-key": box.key});
    group.append(svg("title", {}, box.key));
    group.append(svg("rect", {x, y, width, height}));
    const text = box.text.length > 28 ? box.text.slice(0, 27) + "\u2026" : box.text;
    group.append(svg("text", {x: x + 8, y: y + height / 2 + 4}, text));
    if (box.href) group.addEventListener("click", () => { location.hash = box.href; });
    root.append(group);
  }
  return root;
}

function modelGraph(uid) {
  const parents = (data.manifest.parent_map[uid] || []).filter((p) => objectFor(p));
  const children = (data.manifest.child_map[uid] || [])
    .filter((c) => objectFor(c) && objectFor(c).resource_type !== "test");
  const box = (key, focus) => ({key, text: label(key), href: link(key), focus});
  const layers = new Map([[0, [box(uid, true)]]]);
  if (parents.length) layers.set(-1, parents.map((p) => box(p, false)));
  if (children.length) layers.set(1, children.map((c) => box(c, false)));
  const edges = [...parents.map((p) => [p, uid, true]), ...children.map((c) => [uid, c, true])];
  return layeredGraph(layers, edges, "model-lineage");
}

// Every column the selected one is computed from (left) and that is computed from it (right).
let edgesCache = null;

function columnEdges() {
  if (edgesCache) return edgesCache;
  const up = new Map(), down = new Map();
  const nodes = (data.lineage && data.lineage.nodes) || {};
  for (const [uid, node] of Object.entries(nodes)) {
    for (const [column, info] of Object.entries(node.columns)) {
      for (const dep of info.depends_on || []) {
        if (!dep.node) continue;
        const from = `${dep.node}\u0000${dep.column}`, to = `${uid}\u0000${column}`;
        if (!up.has(to)) up.set(to, []);
        up.get(to).push([from, dep.direct]);
        if (!down.has(from)) down.set(from, []);
        down.get(from).push([to, dep.direct]);
      }
    }
  }
  edgesCache = {up, down};
  return edgesCache;
}

function findColumnKey(uid, column, keys) {
  const wanted = column.toLowerCase();
  for (const key of keys) {
    const [node, name] = key.split("\u0000");
    if (node === uid && name.toLowerCase() === wanted) return key;
  }
  return `${uid}\u0000${column}`;
}

function columnGraph(uid, column) {
  const {up, down} = columnEdges();
  const start = findColumnKey(uid, column, [...up.keys(), ...down.keys()]);
  const depth = new Map([[start, 0]]);
  const edges = [];
  const walk = (map, sign) => {
    const queue = [start];
    const seen = new Set(queue);
    while (queue.length) {
      const key = queue.shift();
      for (const [next, direct] of map.get(key) || []) {
        edges.push(sign < 0 ? [next, key, direct] : [key, next, direct]);
        if (seen.has(next)) continue;
        seen.add(next);
        if (!depth.has(next)) depth.set(next, depth.get(key) + sign);
        queue.push(next);
      }
    }
  };
  walk(up, -1);
  walk(down, 1);
  const layers = new Map();
  for (const [key, d] of depth) {
    const [node, name] = key.split("\u0000");
    if (!layers.has(d)) layers.set(d, []);
    layers.get(d).push({key, text: `${label(node)}.${name}`, href: link(node, name), focus: key === start});
  }
  return {graph: layeredGraph(layers, edges, "column-lineage"), count: depth.size - 1};
}

// --- pages ------------------------------------------------------------------------------------
function section(title, ...content) {
  return [el("h2", {}, title), ...content];
}

function codeTabs(obj) {
  const tabs = [["Source", obj.raw_code], ["Compiled", obj.compiled_code]].filter(([, code]) => code);
  if (!tabs.length) return [];
  const pre = el("pre", {"data-testid": "code"}, el("code", {}, tabs[0][1]));
  const bar = el("div", {class: "tabs"});
  tabs.forEach(([name, code], i) => {
    const button = el("button", {type: "button", class: i === 0 ? "active" : "", "data-tab": name}, name);
    button.addEventListener("click", () => {
      bar.querySelectorAll("button").forEach((b) => b.classList.remove("active"));
      button.classList.add("active");
      pre.replaceChildren(el("code", {}, code));
    });
    bar.append(button);
  });
  return section("Code", bar, pre);
}

function columnsTable(uid, obj, selected) {
  const tests = testsOn(uid);
  const body = el("tbody");
  for (const col of columnsOf(uid, obj)) {
    const names = tests.filter((t) => (t.column_name || "").toLowerCase() === col.name.toLowerCase()).map(testName);
    const row = el("tr", {"data-column": col.name, class: selected && selected.toLowerCase() === col.name.toLowerCase() ? "selected" : "",
                          onclick: () => { location.hash = link(uid, col.name); }},
                   el("td", {}, el("a", {href: link(uid, col.name)}, col.name)), el("td", {}, col.type),
                   el("td", {}, markdown(col.description)), el("td", {}, names.join(", ")));
    body.append(row);
  }
  const head = el("thead", {}, el("tr", {}, el("th", {}, "Column"), el("th", {}, "Type"),
                                   el("th", {}, "Description"), el("th", {}, "Tests")));
  return el("table", {"data-testid": "columns"}, head, body);
}

function nodePage(uid, column) {
  const obj = objectFor(uid);
  if (!obj) return [el("h1", {}, "Not found"), el("p", {class: "muted"}, `${uid} is not in manifest.json.`)];
  const config = obj.config || {};
  const facts = el("p", {}, el("span", {class: "badge"}, obj.resource_type),
                   config.materialized ? el("span", {class: "badge"}, config.materialized) : null,
                   el("code", {}, obj.relation_name || ""));
  const out = [el("h1", {"data-testid": "title"}, label(uid)), facts,
               el("p", {class: "muted"}, obj.original_file_path || "")];
  const description = markdown(obj.description || "No description.");
  description.dataset.testid = "description";
  out.push(...section("Description", description));
  out.push(...section("Columns", columnsTable(uid, obj, column)));
  if (column) {
    const {graph, count} = columnGraph(uid, column);
    out.push(...section(`Column lineage of ${column}`,
                        el("p", {class: "muted"}, count ? "Blue edges pass the value on unchanged." :
                           "Static analysis found no lineage for this column."), graph));
  }
  const tests = testsOn(uid);
  if (tests.length) {
    const list = el("ul", {"data-testid": "tests"});
    tests.forEach((t) => list.append(el("li", {}, testName(t) + (t.column_name ? ` on ${t.column_name}` : ""),
                                        el("span", {class: "muted"}, ` (${t.name})`))));
    out.push(...section("Tests", list));
  }
  out.push(...section("Lineage", modelGraph(uid)));
  out.push(...codeTabs(obj));
  out.push(...section("Config", el("pre", {"data-testid": "config"}, JSON.stringify(config, null, 2))));
  return out;
}

function overview() {
  const m = data.manifest;
  const counts = new Map();
  for (const obj of Object.values(objects())) counts.set(obj.resource_type, (counts.get(obj.resource_type) || 0) + 1);
  const list = el("ul", {});
  for (const [type, title] of TREE_GROUPS) if (counts.get(type)) list.append(el("li", {}, `${title}: ${counts.get(type)}`));
  const notes = [];
  if (!data.catalog) notes.push("No catalog.json: column types come from the project files and static analysis.");
  if (!data.lineage) notes.push("No lineage.json: column lineage needs static analysis (`fusion docs generate`).");
  return [el("h1", {"data-testid": "title"}, m.metadata.project_name || "Project"), list,
          ...notes.map((n) => el("p", {class: "muted"}, n)),
          el("p", {class: "muted"}, `Generated ${m.metadata.generated_at}.`)];
}

function render() {
  const params = new URLSearchParams(location.hash.slice(1));
  const uid = params.get("node");
  const main = document.getElementById("content");
  main.replaceChildren(...(uid ? nodePage(uid, params.get("column")) : overview()));
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("current", a.dataset.uid === uid));
  document.title = uid ? `${label(uid)} - Fusion docs` : "Fusion docs";
}

async function start() {
  try {
    [data.manifest, data.catalog, data.lineage] = await Promise.all(
      [loadJson("manifest.json", true), loadJson("catalog.json", false), loadJson("lineage.json", false)]);
  } catch (error) {
    document.getElementById("content").replaceChildren(
      el("h1", {}, "Cannot load the project"), el("p", {}, String(error.message)),
      el("p", {class: "muted"}, "Run `fusion docs generate`, then `fusion docs serve`."));
    return;
  }
  document.getElementById("project-title").textContent = `${data.manifest.metadata.project_name} docs`;
  buildTree("");
  document.getElementById("search").addEventListener("input", (e) => buildTree(e.target.value));
  window.addEventListener("hashchange", render);
  render();
  document.body.dataset.ready = "true";
}

start();
