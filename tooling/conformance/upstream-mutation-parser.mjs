// Ports upstream's tests in src/database/query_language/mutation_parser.rs. Upstream only
// parses; here each mutation also runs. An update or a reference needs an entity that exists,
// so the cases first insert the entities the upstream text points at and pass their ids.
// Run: node tooling/conformance/upstream-mutation-parser.mjs
import { upstreamFile, writeCases } from './cases.mjs';

const { c, ok, no } = upstreamFile('mutation_parser', 'mutate');
/** Inserts one entity and saves its id under `name`. */
const insert = (text, name) => ({ mutate: `mutate { e: ${text} }`, save: { [name]: 'e.id' } });

const validModel = `{
    Person {
        name : String ,
        surname : String ,
        parents : [Person],
        pet : Pet,
        age : Integer,
        weight : Float,
        is_human : Boolean
    }
    Pet {
        name : String ,
    }
}`;
const somebody = (name) => `Person { name: "${name}" surname: "x" age: 1 weight: 1 is_human: true }`;

const scalarModel = `{
    Person {
        name : String nullable,
        surname : String nullable,
        age : Integer nullable,
        weight : Float nullable,
        is_human : Boolean nullable
    }
}`;

const nameModel = '{ Person { name : String , } }';

const nested = (depth) => (depth === 0 ? '' : ` someone : { name : $name${nested(depth - 1)} }`);

const cases = [
  c('parse_valid_mutation', 'an update from parameters, with references to existing entities, and comments', validModel, [
    insert(somebody('me'), 'id'),
    insert(somebody('father'), 'father'),
    insert(somebody('mother'), 'mother'),
    insert('Pet { name: "rex" }', 'pet'),
    ok(
      `//comment
mutate {
    //comment
    Person { //comment
        //comment
        id : $id
        name : $name //comment
        surname : $surname
        parents : [{id: $father_id}, {id: $mother_id}]
        age: $age
        weight: $weight
        pet : { id : $pet_id}
        is_human : $human
    }
}`,
      { id: '@id', name: 'me', surname: 'also me', father_id: '@father', mother_id: '@mother', age: 4200, weight: 71.1, pet_id: '@pet', human: false },
    ),
    {
      query: 'query { Person(id = $id) { name surname age weight is_human parents(order_by(name asc)) { name } pet { name } } }',
      params: { id: '@id' },
      expect: { Person: [{ name: 'me', surname: 'also me', age: 4200, weight: 71.1, is_human: false, parents: [{ name: 'father' }, { name: 'mother' }], pet: { name: 'rex' } }] },
    },
  ]),
  c('parse_valid_mutation', 'an insert with literals and a nested insert', validModel, [
    ok(`mutate {
    person_value : Person {
        name : "me"
        surname : "also me"
        age: 4200
        weight: 71.1
        pet : { name : "kiki"}
        is_human : false
    }
}`),
    {
      query: 'query { Person { name surname age weight is_human pet { name } } }',
      expect: { Person: [{ name: 'me', surname: 'also me', age: 4200, weight: 71.1, is_human: false, pet: { name: 'kiki' } }] },
    },
  ]),
  c('parse_valid_mutation', 'references to ids that name no entity are refused when run (upstream: UnknownEntity)', validModel, [
    no('mutate { Person { name : "me" surname : "also me" parents : [{id: "emV0emV0"}, {id: "emV0emV1"}] age: 4200 weight: 71.1 is_human : false } }', 'NOT_FOUND'),
  ]),
  c('scalar_field', 'a scalar field given a list of entities is refused', scalarModel, [
    no('mutate { Person { id : $id name : [{id : $pet_id}] } }', 'TYPE_MISMATCH', { id: 'AAAAAAAAAAAAAAAAAAAAAA', pet_id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
  ]),
  c('scalar_field', 'a scalar field given an entity is refused', scalarModel, [
    no('mutate { Person { id : $id name : {id : $pet_id} } }', 'TYPE_MISMATCH', { id: 'AAAAAAAAAAAAAAAAAAAAAA', pet_id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
  ]),
  c('scalar_field', 'a Float given a string is refused', scalarModel, [
    no('mutate { Person { id : $id name: $name weight : "name" } }', 'TYPE_MISMATCH', { id: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x' }),
  ]),
  c('scalar_field', 'a Float given a boolean is refused', scalarModel, [
    no('mutate { Person { id : $id weight : true } }', 'TYPE_MISMATCH', { id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
  ]),
  c('scalar_field', 'a Float given an integer, then a float', scalarModel, [
    insert('Person { name: "p" }', 'id'),
    ok('mutate { Person { id : $id weight : 1 } }', { id: '@id' }),
    { query: 'query { Person { weight } }', expect: { Person: [{ weight: 1 }] } },
    ok('mutate { Person { id : $id weight : 1.12 } }', { id: '@id' }),
    { query: 'query { Person { weight } }', expect: { Person: [{ weight: 1.12 }] } },
  ]),
  c('scalar_field', 'an id that is not valid base64 is refused', scalarModel, [no('mutate { Person { id : "qsdgqzaddfq" } }', 'TYPE_MISMATCH')]),
  c('scalar_field', 'a valid base64 id that names no entity is refused when run (upstream: UnknownEntity)', scalarModel, [
    no('mutate { Person { id : "emV0emV0" } }', 'NOT_FOUND'),
  ]),
  c('namespace', 'an entity named with its namespace, also under an alias', 'ns { Person { name : String , } }', [
    ok('mutate { ns.Person { name : $name } }', { name: 'a' }),
    ok('mutate { Person: ns.Person { name : $name } }', { name: 'b' }),
    { query: 'query { ns.Person(order_by(name asc)) { name } }', expect: { 'ns.Person': [{ name: 'a' }, { name: 'b' }] } },
  ]),
  c('namespace', 'an entity named without its namespace is refused', 'ns { Person { name : String , } }', [
    no('mutate { Person { name : $name } }', 'UNKNOWN_ENTITY', { name: 'a' }),
  ]),
  c('duplicated_field', 'a field written twice is refused', nameModel, [no('mutate { Person { name : $name name : $name2 } }', 'INVALID_MUTATION', { name: 'a', name2: 'b' })]),
  c('alias', 'an entity written twice without alias is refused', nameModel, [
    no('mutate { Person { name : $name } Person { name : $name } }', 'INVALID_MUTATION', { name: 'a' }),
  ]),
  c('alias', 'an alias equal to another block name is refused', nameModel, [
    no('mutate { Person { name : $name } Person : Person { name : $name } }', 'INVALID_MUTATION', { name: 'a' }),
  ]),
  c('alias', 'an alias used twice is refused', nameModel, [
    no('mutate { Person { name : $name } aPerson : Person { name : $name } aPerson : Person { name : $name } }', 'INVALID_MUTATION', { name: 'a' }),
  ]),
  c('alias', 'aliases are case sensitive', nameModel, [
    ok('mutate { Person { name : $name } person : Person { name : $name } bPerson : Person { name : $name } }', { name: 'a' }),
    { query: 'query { Person { name } }', expect: { Person: [{ name: 'a' }, { name: 'a' }, { name: 'a' }] } },
  ]),
  c('nullables', 'an insert without a required field is refused', nullablesModel(), [no('mutate { Person { surname : $name } }', 'NOT_NULLABLE', { name: 'a' })]),
  c('nullables', 'a missing Boolean takes its default; relations may be null, single or list', nullablesModel(), [
    ok('mutate { Person { name : $name } }', { name: 'a' }),
    ok('mutate { Person { name : $name some_person : null } }', { name: 'b' }),
    ok('mutate { Person { name : $name parents : null } }', { name: 'c' }),
    { query: 'query { Person(order_by(name asc)) { name is_human } }', expect: { Person: [{ name: 'a', is_human: true }, { name: 'b', is_human: true }, { name: 'c', is_human: true }] } },
  ]),
  c('non_scalar_field', 'a nested insert in a single relation', '{ Person { name: String, parents : [Person] , someone : Person , } }', [
    ok('mutate { Person { name : $name someone : {name:"hello"} } }', { name: 'top' }),
    { query: 'query { Person { name someone { name } } }', expect: { Person: [{ name: 'top', someone: { name: 'hello' } }] } },
  ]),
  c('depth', 'nested inserts eight levels deep (depth itself is not observable)', '{ Person { name: String, parents : [Person] , someone : Person , } }', [
    ok(`mutate { Person { name : $name${nested(4)} parents : [{ name : $name${nested(7)} }] } }`, { name: 'n' }),
    { query: 'query { n: Person { c: count() } }', expect: { n: [{ c: 13 }] } },
  ]),
  c('json', 'a Json field from a parameter and from JSON text; text that is not JSON is refused', '{ Person { name: Json, } }', [
    ok('mutate { Person { name : $name } }', { name: { a: 1 } }),
    no('mutate { Person { name : "invalid JSON" } }', 'TYPE_MISMATCH'),
    ok('mutate { Person { name : "[1,2,3,4]" } }'),
    { query: 'query { Person { name } }', expect: { Person: [{ name: { a: 1 } }, { name: [1, 2, 3, 4] }] } },
  ]),
  c('json', 'a Json parameter holding a string stays a string (deliberate difference: upstream parses the string as JSON text; see docs/language.md)', '{ Person { name: Json, } }', [
    ok('mutate { Person { name : $name } }', { name: '[1,2]' }),
    { query: 'query { Person { name } }', expect: { Person: [{ name: '[1,2]' }] } },
  ]),
  c('base64', 'a Base64 field from a parameter and from a literal; a literal that is not base64 is refused', '{ Person { name: Base64, } }', [
    ok('mutate { Person { name : $name } }', { name: 'JVBQS0pP' }),
    no('mutate { Person { name : "invalid BASE 64%$" } }', 'TYPE_MISMATCH'),
    ok('mutate { Person { name : "JVBQS0pP" } }'),
    { query: 'query { Person { name } }', expect: { Person: [{ name: 'JVBQS0pP' }, { name: 'JVBQS0pP' }] } },
  ]),
  c('update', 'an insert without a required field is refused; an update may give only some fields', `{
    Person {
        name : String ,
        surname : String,
        some_person : Person ,
        parents : [Person]
    }
}`, [
    no('mutate { Person { surname : $name } }', 'NOT_NULLABLE', { name: 'a' }),
    insert('Person { name: "n" surname: "s" }', 'id'),
    ok('mutate { Person { id: $id surname : $name } }', { id: '@id', name: 'updated' }),
    { query: 'query { Person { name surname } }', expect: { Person: [{ name: 'n', surname: 'updated' }] } },
  ]),
  c('fill_default', 'defaults fill missing fields of an insert; a missing required field is refused', `{
    Person {
        name : String ,
        age : Integer default 4,
        parents : [Person]
    }
}`, [
    no('mutate { Person { age : $age } }', 'NOT_NULLABLE', { age: 1 }),
    ok('mutate { Person { name : "hello" } }'),
    ok('mutate { Person { name : "hello" parents : [{name:"world"}] } }'),
    { query: 'query { Person(order_by(name asc)) { name age } }', expect: { Person: [{ name: 'hello', age: 4 }, { name: 'hello', age: 4 }, { name: 'world', age: 4 }] } },
  ]),
  c('disabled_index_and_archiving', 'an entity without full text index is written, and search() does not find it', '{ Person(no_full_text_index){ name : String , } }', [
    ok('mutate { Person { name : $age } }', { age: 'findable text' }),
    { query: 'query { Person(search("findable")) { name } }', expect: { Person: [] } },
    { query: 'query { Person { name } }', expect: { Person: [{ name: 'findable text' }] } },
  ]),
];

function nullablesModel() {
  return `{
    Person {
        name : String ,
        surname : String nullable,
        is_human : Boolean default true,
        some_person : Person ,
        parents : [Person]
    }
}`;
}

writeCases('upstream-mutation-parser.json', cases);
