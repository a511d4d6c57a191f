// WFLW per-face attributes rebuilt from the six subset lists.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  parseWflwList,
  WFLW_ATTRIBUTES,
  type WflwAttributeName,
  wflwAttributesFromSubsets,
  type WflwRecord,
  type WflwSubsetLists,
} from "../src/layouts/mod.ts";
import { subsetMetrics } from "../src/metrics/mod.ts";
import { HAS_DATA, read, SKIP, WFLW_SUBSET_FILES } from "./_data.ts";
import { rng } from "./_random.ts";

/** A full-format (207-field) WFLW line. */
function fullLine(landmarks: ArrayLike<number>, flags: boolean[], image: string): string {
  const coords = Array.from(landmarks, (v) => v.toFixed(6)).join(" ");
  return `${coords} 0 0 100 100 ${flags.map((f) => (f ? 1 : 0)).join(" ")} ${image}`;
}

/** The subset lists WFLW would ship for these full-format records. */
function subsetsOf(records: readonly WflwRecord[]): WflwSubsetLists {
  const lists = {} as Record<WflwAttributeName, WflwRecord[]>;
  for (const name of WFLW_ATTRIBUTES) lists[name] = records.filter((r) => r.attributes![name]);
  return lists;
}

Deno.test("wflwAttributesFromSubsets rebuilds the flags of a full list from its subsets", () => {
  const rand = rng(7);
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const landmarks = Array.from({ length: 196 }, () => Math.round(rand() * 4e8) / 1e6);
    const flags = WFLW_ATTRIBUTES.map(() => rand() < 0.3);
    // several faces per image, and one face repeated on another image
    lines.push(fullLine(landmarks, flags, `img/${Math.floor(i / 3)}.jpg`));
  }
  const full = parseWflwList(lines.join("\n"));
  // the subset lists in another order (WFLW sorts them by image)
  const subsets = subsetsOf(full);
  const shuffled = Object.fromEntries(
    Object.entries(subsets).map(([k, v]) => [k, [...v].reverse()]),
  ) as unknown as WflwSubsetLists;
  const rebuilt = wflwAttributesFromSubsets(full, shuffled);
  equal(rebuilt.length, 300);
  deepEqual(rebuilt, full.map((r) => r.attributes));
  // the subset-format list (no attribute columns) gets the same answer
  const bare = full.map((r) => ({ landmarks: r.landmarks, image: r.image }));
  deepEqual(wflwAttributesFromSubsets(bare, subsets), rebuilt);
});

Deno.test("wflwAttributesFromSubsets tells faces of one image apart and rejects foreign lists", () => {
  const a = { image: "a.jpg", landmarks: new Float64Array([1, 2, 3, 4]) };
  const b = { image: "a.jpg", landmarks: new Float64Array([1, 2, 3, 4.5]) };
  const none: WflwRecord[] = [];
  const lists = {
    pose: [b],
    expression: none,
    illumination: [a, b],
    makeup: none,
    occlusion: none,
    blur: none,
  };
  const [fa, fb] = wflwAttributesFromSubsets([a, b], lists);
  deepEqual(
    WFLW_ATTRIBUTES.filter((n) => fa![n]),
    ["illumination"],
  );
  deepEqual(WFLW_ATTRIBUTES.filter((n) => fb![n]), ["pose", "illumination"]);
  throws(
    () =>
      wflwAttributesFromSubsets([a], {
        ...lists,
        pose: [{ image: "a.jpg", landmarks: [1, 2, 3, 4.25] }],
      }),
    {
      name: "RangeError",
      message: 'Cannot rebuild WFLW attributes: "subsets.pose" entry 0 ("a.jpg") is not in "faces"',
    },
  );
  const { blur: _, ...five } = lists;
  throws(() => wflwAttributesFromSubsets([a, b], five as unknown as WflwSubsetLists), {
    name: "TypeError",
    message: 'Cannot rebuild WFLW attributes: "subsets.blur" must be an array of faces',
  });
  throws(
    () => wflwAttributesFromSubsets([a, { image: 3 } as unknown as WflwRecord], lists),
    /"faces" entry 1 is not a face/,
  );
  throws(() => wflwAttributesFromSubsets(a as unknown as WflwRecord[], lists), TypeError);
  throws(() => wflwAttributesFromSubsets([a], null as unknown as WflwSubsetLists), TypeError);
});

Deno.test({
  name: `wflwAttributesFromSubsets on the six real WFLW subset lists${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const subsets = {} as Record<WflwAttributeName, WflwRecord[]>;
    for (const name of WFLW_ATTRIBUTES) {
      const file = WFLW_SUBSET_FILES[name];
      subsets[name] = parseWflwList(read(file), { name: file });
    }
    // the test list as the union of the lists (first appearance), plus faces in no list
    const seen = new Set<string>();
    const faces: { landmarks: Float64Array; image: string }[] = [];
    for (const name of WFLW_ATTRIBUTES) {
      for (const r of subsets[name]) {
        const k = `${r.image} ${r.landmarks.join(" ")}`;
        if (!seen.has(k)) faces.push({ landmarks: r.landmarks, image: r.image }), seen.add(k);
      }
    }
    equal(faces.length, 1966);
    const plain = subsets.blur.slice(0, 5).map((r) => ({ ...r, image: `none/${r.image}` }));
    const attributes = wflwAttributesFromSubsets([...faces, ...plain], subsets);
    // README: 1089 / 682 / 180 / 15 faces with 1..4 attributes
    const histogram = [0, 0, 0, 0, 0];
    for (const a of attributes) histogram[WFLW_ATTRIBUTES.filter((n) => a[n]).length]! += 1;
    deepEqual(histogram, [5, 1089, 682, 180, 15]);
    // the per-subset table counts each list's faces
    const table = subsetMetrics(attributes.map(() => 0.05), attributes);
    for (const name of WFLW_ATTRIBUTES) equal(table[name]?.count, subsets[name].length, name);
    equal(table.all.count, 1971);
    ok(attributes.every((a) => Object.isFrozen(a)));
  },
});
