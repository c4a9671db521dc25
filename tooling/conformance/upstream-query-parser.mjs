// Ports upstream's src/database/query_language/query_parser_test.rs. Upstream parses each
// query against a data model; here each query runs on an empty database, so "accepted"
// means it validates and runs, "refused" means it throws the given code.
// Run: node tooling/conformance/upstream-query-parser.mjs
import { upstreamFile, writeCases } from './cases.mjs';

const { c, ok, no } = upstreamFile('query_parser_test', 'query');
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';

const personPet = `{
    Person {
        name : String,
        surname : String,
        parents : [Person],
        pet : Pet,
        age : Integer,
        weight : Float,
        is_human : Boolean
    }
    Pet {
        name : String ,
        age : Integer
    }
}`;

const parents = `{
    Person {
        name : String,
        parents : [Person],
    }
}`;

const withAge = `{
    Person {
        name : String,
        age : Integer,
        parents : [Person],
    }
}`;

const aliasModel = `{
    Person {
        name : String,
        age : Integer,
        parents : [Person],
        pets : [Pet],
        someone : Person
    }
    Pet {
        name: String
    }
}`;

const nameAge = `{
    Person {
        name : String,
        age: Integer
    }
}`;

const cases = [
  c('parse_valid_query', 'filters, order_by, first, skip, before, after, aggregates, parameters, comments', personPet, [
    ok(
      `//comment
query aquery {
    //comment
    Person( //comment
        name = "someone",
        is_human = true,
        age >= 1,
        weight <= 200,
        order_by(surname asc),
        first 30,
        skip 2,
        before ("didi"),
    ){
        a_name:name
        surname
        parents {
           age
           pet {
                name
           }
        }
        age
        weight
        pet {
            name
        }
    }

    Parametrized : Person (
        name = $name,
        is_human = $human,
        age >= $age,
        weight <= $weight,
        order_by(surname asc, name desc ),
        first $limit,
        skip $skip,
        after ($after_id),
    ){
        name
        surname
        parents {
           age
           pet {
                name
           }
        }
        age
        weight
        pet {
            name
        }
    }

    Pet () {
        name
        asum: sum( age )
        avg: avg(age)
        min: min(age)
        max : max(age)
        count: count()
    }

    PetAndOwner : Pet (id=$id) {
        name
    }
}`,
      { name: 'someone', human: true, age: 1, weight: 200.5, limit: 10, skip: 0, after_id: 'x', id: ID },
    ),
  ]),
  c('query_depth', 'queries one, two and three levels deep (depth itself is not observable)', parents, [
    ok('query { Person { name } }'),
    ok('query { Person { name parents { name } } }'),
    ok('query { Person { name aliased : parents { name parents { name } } parents { name } } }'),
  ]),
  c('query_complexity', 'queries of growing complexity (complexity itself is not observable)', parents, [
    ok('query aquery { Person { name } }'),
    ok('query aquery { Person { name parents{ name } } }'),
    ok('query aquery { Person { name aliased : parents { name parents { name } } parents { name } } }'),
  ]),
  c('namespace', 'entities are named with their namespace; an alias may drop it', `ns {
    Person {
        name : String,
        age : Integer,
        parents : [ns.Person],
    }
}`, [
    ok('query aquery { ns.Person { name } }'),
    ok('query aquery { Person: ns.Person { name } }'),
    no('query aquery { Person { name } }', 'UNKNOWN_ENTITY'),
  ]),
  c('duplicated_field', 'a field selected twice is refused', withAge, [no('query aquery { Person { name name } }', 'INVALID_QUERY')]),
  c('duplicated_field', 'an alias used twice is refused', withAge, [no('query aquery { Person { aname : name aname : name } }', 'INVALID_QUERY')]),
  c('duplicated_field', 'a field and an alias of it', withAge, [ok('query aquery { Person { name aname : name } }')]),
  c('duplicated_field', 'an entity queried twice without alias is refused', withAge, [
    no('query aquery { Person { name } Person { name } }', 'INVALID_QUERY'),
  ]),
  c('duplicated_field', 'an entity queried twice, once aliased', withAge, [ok('query aquery { Person { name } Aperson: Person { name } }')]),
  c('function', 'avg of a String is refused', withAge, [no('query aquery { Person { name fn : avg(name) } }', 'TYPE_MISMATCH')]),
  c('function', 'avg of an Integer', withAge, [ok('query aquery { Person { name fn : avg(age) } }')]),
  c('function', 'sum of a String is refused', withAge, [no('query aquery { Person { name fn : sum(name) } }', 'TYPE_MISMATCH')]),
  c('function', 'sum of an Integer', withAge, [ok('query aquery { Person { name fn : sum(age) } }')]),
  c('function', 'min of a relation is refused', withAge, [no('query aquery { Person { name fn : min(parents) } }', 'TYPE_MISMATCH')]),
  c('function', 'min of a String', withAge, [ok('query aquery { Person { age fn : min(name) } }')]),
  c('function', 'max of a relation is refused', withAge, [no('query aquery { Person { name fn : max(parents) } }', 'TYPE_MISMATCH')]),
  c('function', 'max of a String', withAge, [ok('query aquery { Person { age fn : max(name) } }')]),
  c('function', 'max of an unknown field is refused', withAge, [no('query aquery { Person { age fn : max(not_exist) } }', 'UNKNOWN_FIELD')]),
  c('function', 'a relation beside an aggregate is refused', withAge, [
    no('query aquery { Person { parents{ name } fn : count() } }', 'INVALID_QUERY'),
  ]),
  c('function', 'count grouped by a field', withAge, [ok('query aquery { Person { age fn : count() } }')]),
  c('start_with_underscore', 'an entity alias starting with _ is refused', aliasModel, [
    no('query aquery { Person { name } _pet: Person { name } }', 'INVALID_QUERY'),
  ]),
  c('start_with_underscore', 'a field alias starting with _ is refused', aliasModel, [
    no('query aquery { Person { name } pet: Person { _name : name } }', 'INVALID_QUERY'),
  ]),
  c('start_with_underscore', 'verifying_key is a system field', aliasModel, [ok('query aquery { Person { name } pet: Person { verifying_key } }')]),
  c('aliases', 'an entity alias equal to another entity name is refused', aliasModel, [
    no('query aquery { Person { name } Pet: Person { name } }', 'INVALID_QUERY'),
  ]),
  c('aliases', 'a field alias equal to a field name is refused', aliasModel, [
    no('query aquery { Person { name someone : name } }', 'INVALID_QUERY'),
  ]),
  c('aliases', 'a relation alias equal to a field name is refused', aliasModel, [
    no('query aquery { Person { name : someone{name} } }', 'INVALID_QUERY'),
  ]),
  c('aliases', 'a relation alias', aliasModel, [ok('query aquery { Person { aname : someone{name} } }')]),
  ...[
    ['an array relation without a block is refused', 'parents'],
    ['a single relation without a block is refused', 'someone'],
  ].map(([what, field]) =>
    c('entity_field', what, '{ Person { parents : [Person], someone : Person } }', [no(`query aquery { Person { ${field} } }`, 'INVALID_QUERY')]),
  ),
  c('entity_field', 'relations with a block', '{ Person { parents : [Person], someone : Person } }', [
    ok('query aquery { Person { parents{id} someone{id} } }'),
  ]),
  ...[
    ['an array relation compared with a number is refused', 'parents > 0', 'INVALID_QUERY'],
    ['a single relation compared with a number is refused', 'someone > 0', 'INVALID_QUERY'],
    ['an unknown field is refused', 'aage > 10', 'UNKNOWN_FIELD'],
    ['an Integer compared with a float is refused', 'age > 10.5', 'TYPE_MISMATCH'],
  ].map(([what, filter, code]) =>
    c('filters', what, filterModel(), [no(`query aquery { Person (${filter}) { name } }`, code)]),
  ),
  ...[
    ['a relation compared with null, without nullable(...) nor the relation selected', 'parents = null'],
    ['a relation compared with != null, without nullable(...) nor the relation selected', 'parents != null'],
    ['a Float compared with an integer', 'weight > 10'],
    ['an Integer compared with an integer', 'age > 10'],
  ].map(([what, filter]) => c('filters', what, filterModel(), [ok(`query aquery { Person (${filter}) { name } }`)])),
  c('before_after', 'before and after together are refused', '{ Person { name : String, age: Integer } }', [
    no('query aquery { Person ( before($id, "someone"), after($id, "someone") ) { name } }', 'INVALID_QUERY', { id: 'a' }),
  ]),
  c('before_after', 'before without order_by is refused', '{ Person { name : String, age: Integer } }', [
    no('query aquery { Person ( before($id, $mdate) ) { name, } }', 'INVALID_QUERY', { id: 'a', mdate: 1 }),
  ]),
  c('before_after', 'before with fewer values than order_by fields', '{ Person { name : String, age: Integer } }', [
    ok('query aquery { Person ( before(12345), order_by (mdate asc, id desc) ) { id name } }'),
  ]),
  c('before_after', 'before values in the wrong order (a string for mdate) are refused', '{ Person { name : String, age: Integer } }', [
    no('query aquery { Person ( before( "YXplYQ", 12345), order_by (mdate asc, id desc) ) { mdate name } }', 'TYPE_MISMATCH'),
  ]),
  c('before_after', 'before on mdate then id', '{ Person { name : String, age: Integer } }', [
    ok('query aquery { Person ( before(12345, "YXplYQ"), order_by (mdate asc, id desc) ) { mdate name id } }'),
  ]),
  c('before_after', 'after on mdate then id', '{ Person { name : String, age: Integer } }', [
    ok('query aquery { Person ( after(12345, "YXplYQ"), order_by (mdate asc, id desc) ) { mdate name id } }'),
  ]),
  c('search', 'search()', nameAge, [ok('query aquery { Person ( search("hello") ) { name } }')]),
  c(
    'search',
    'search() with order_by (deliberate difference: accepted here, refused upstream; see docs/language.md)',
    nameAge,
    [ok('query aquery { Person ( search("hello"), order_by(name asc) ) { name } }')],
  ),
  c('search', 'search() with before is refused', nameAge, [no('query aquery { Person ( search("hello"), before("invalid") ) { name } }', 'INVALID_QUERY')]),
  c('search', 'search() with after is refused', nameAge, [no('query aquery { Person ( search("hello"), after("invalid") ) { name } }', 'INVALID_QUERY')]),
  ...[
    ['an array index compared with a string', 'query aquery { Person ( data->1 = "tesst" ) { name } }'],
    ['a JSON path compared with a number', 'query aquery { Person ( data->$.a[1].b = 1 ) { name } }'],
    ['an array index in a filter and in the projection', 'query aquery { Person ( data->1 = 1 ) { name internal : data->1 } }'],
    ['a JSON path in a filter and in the projection', 'query aquery { Person ( data->$.c[2].f = 1 ) { name internal : data->$.c[2].f } }'],
  ].map(([what, text]) => c('json', what, '{ Person { name : String, data: Json } }', [ok(text)])),
  c('json', 'a JSON selector on a String field is refused', '{ Person { name : String, data: Json } }', [
    no('query aquery { Person ( data->$.c[2].f = 1 ) { wrong: name->$.c[2].f internal : data->$.c[2].f } }', 'TYPE_MISMATCH'),
  ]),
  c('nullable_filter', 'nullable(...) naming a relation that is not selected is refused', nullableModel(), [
    no('query aquery { Person ( nullable(parent) ) { name } }', 'INVALID_QUERY'),
  ]),
  c('nullable_filter', 'nullable(...) naming a scalar field is refused', nullableModel(), [
    no('query aquery { Person ( nullable(name) ) { name } }', 'INVALID_QUERY'),
  ]),
  c('nullable_filter', 'nullable(...) naming two selected relations', nullableModel(), [
    ok('query aquery { Person ( nullable(parent, someone) ) { name parent{ name } someone{ name } } }'),
  ]),
  c('nullable_filter', 'nullable(...) naming a relation by its alias', nullableModel(), [
    ok('query aquery { Person ( nullable(parent, some) ) { name parent{ name } some : someone{ name } } }'),
  ]),
  c('sys_peer', "sys_peer: the virtual relation to the author's sys.Peer", '{ Person { name : String, } }', [
    ok('query aquery { Person { name sys_peer { pub_key } } }'),
  ]),
];

function filterModel() {
  return `{
    Person {
        name : String,
        age : Integer,
        weight : Float,
        parents : [Person] ,
        someone : Person
    }
}`;
}

function nullableModel() {
  return `{
    Person {
        name : String,
        parent: [Person],
        someone: Person,
    }
}`;
}

writeCases('upstream-query-parser.json', cases);
