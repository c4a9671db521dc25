// Ports upstream's tests in src/database/query_language/deletion_parser.rs (into
// upstream-deletion-parser.json) and src/database/deletion.rs (into upstream-deletion.json). Upstream parses;
// here each deletion also runs, on entities written first so that it has something to do.
// Run: node tooling/conformance/upstream-deletion-parser.mjs
import { upstreamCase, upstreamFile, writeCases } from './cases.mjs';

const { c, ok, no } = upstreamFile('deletion_parser', 'delete');
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';

const validModel = `{
    Person {
        name : String ,
        surname : String ,
        parent : [Person],
        pet : [Pet]
    }
    Pet {
        name : String ,
    }
}`;

const invalidModel = `{
    Person {
        name : String ,
        surname : String ,
        parent : [Person],
        pet : [Pet]
    }
    Pet {
        name : String,
    }
}`;

const cases = [
  c('parse_valid_deletion', 'a named deletion: links of one entity and a whole entity, with comments', validModel, [
    {
      mutate: `mutate { p: Person {
    name: "child" surname: "s"
    parent: [{ name: "father" surname: "s" }, { name: "mother" surname: "s" }]
    pet: [{ name: "rex" }]
} }`,
      save: { id: 'p.id', id2: 'p.parent.0.id', id3: 'p.parent.1.id', id4: 'p.pet.0.id' },
    },
    { mutate: 'mutate { Pet { name: "other" } }', save: { petToDelete: 'Pet.id' } },
    ok(
      `//comment
delete delete_person {
    //comment
    del1: Person {
        //comment
        $id //comment
        parent[$id2, $id3]
        pet[$id4]
    }
    Pet {
        $id3
    }
}`,
      { id: '@id', id2: '@id2', id3: '@id3', id4: '@id4' },
    ),
    {
      query: 'query { Person(nullable(parent, pet), order_by(name asc)) { name parent { name } pet { name } } Pet(order_by(name asc)) { name } }',
      expect: {
        Person: [
          { name: 'child', parent: [], pet: [] },
          { name: 'father', parent: [], pet: [] },
          { name: 'mother', parent: [], pet: [] },
        ],
        Pet: [{ name: 'other' }, { name: 'rex' }],
      },
    },
  ]),
  c('parse_namespace_datamodel', 'an entity named with its namespace, also under an alias', `ns {
    Person {
        name : String ,
        surname : String ,
        parent : [ns.Person],
        pet : [ns.Pet]
    }
    Pet {
        name : String,
    }
}`, [
    { mutate: 'mutate { a: ns.Pet { name: "a" } b: ns.Pet { name: "b" } }', save: { a: 'a.id', b: 'b.id' } },
    ok('delete { ns.Pet { $id3 } }', { id3: '@a' }),
    ok('delete { pets : ns.Pet { $id3 } }', { id3: '@b' }),
    { query: 'query { ns.Pet { name } }', expect: { 'ns.Pet': [] } },
  ]),
  c('parse_invalid_datamodel', 'entity names are case sensitive: pet is refused', invalidModel, [no('delete { pet { $id3 } }', 'UNKNOWN_ENTITY', { id3: ID })]),
  c('parse_invalid_datamodel', 'a deletion of a Pet', invalidModel, [ok('delete { Pet { $id3 } }', { id3: ID })]),
  c('parse_invalid_datamodel', 'field names are case sensitive: Parent is refused', invalidModel, [
    no('delete { Person { $id1 Parent[$id2] } }', 'UNKNOWN_FIELD', { id1: ID, id2: ID }),
  ]),
  c('parse_invalid_datamodel', 'a deletion of links of parent', invalidModel, [ok('delete { Person { $id1 parent[$id2] } }', { id1: ID, id2: ID })]),
  c('parse_invalid_datamodel', 'an empty list of links is refused', invalidModel, [no('delete { Person { $id1 parent[] } }', 'PARSE_ERROR', { id1: ID })]),
  c('parse_invalid_field_type', 'links of a scalar field are refused', '{ Person { name : String , surname : String , parent : [Person], pet : [Person] } }', [
    no('delete delete_person{ Person { $id1 surname[$id2] } }', 'INVALID_MUTATION', { id1: ID, id2: ID }),
  ]),
  c('parse_invalid_field_type', 'links of a list relation', '{ Person { name : String , surname : String , parent : [Person], pet : [Person] } }', [
    ok('delete delete_person{ Person { $id1 parent[$id2] } }', { id1: ID, id2: ID }),
  ]),
];

writeCases('upstream-deletion-parser.json', cases);

const d = (fn, what, model, steps) => upstreamCase('deletion', fn, what, model, steps);
writeCases('upstream-deletion.json', [
  d('delete_node', 'three entities deleted in one request, by blocks of the same name', '{ Person { name : String, } }', [
    { mutate: 'mutate { P1: Person { name:"John"  } P2: Person { name:"Alice"  } P3: Person { name:"Bob"  } }', save: { id0: 'P1.id', id1: 'P2.id', id2: 'P3.id' } },
    ok('delete delete_person { Person { $id0 } Person { $id1 } Person { $id2 } }', { id0: '@id0', id1: '@id1', id2: '@id2' }),
    { query: 'query sample{ Person { id name } }', expect: { Person: [] } },
  ]),
  d('delete_edge', 'both links of a list removed: the parent no longer matches an inner join', '{ Person { name : String, parents : [Person] } }', [
    { mutate: 'mutate { Person { name:"John" parents:[{name:"Alice"},{name:"Bob"}]  } }', save: { src: 'Person.id', p0: 'Person.parents.0.id', p1: 'Person.parents.1.id' } },
    ok('delete delete_person { Person { $src parents[$p0,$p1] } }', { src: '@src', p0: '@p0', p1: '@p1' }),
    { query: 'query sample{ Person(name="John") { name parents{name} } }', expect: { Person: [] } },
    { query: 'query { Person(order_by(name asc)) { name } }', expect: { Person: [{ name: 'Alice' }, { name: 'Bob' }, { name: 'John' }] } },
  ]),
]);
