// Ports upstream's src/database/query_test.rs: each test's mutations and queries run through
// the public API, and each result upstream asserts is asserted here, as JSON values (upstream
// compares JSON text: `42.0` there is `42` here, and SQLite's 15-digit `73.3333333333333` is
// the double 220/3). Where upstream only checks that a query runs, so does the case.
// Run: node tooling/conformance/upstream-query.mjs
import { accepts, upstreamCase, writeCases } from './cases.mjs';

const file = 'query_test';
const c = (fn, what, model, steps, extra) => upstreamCase(file, fn, what, model, steps, extra);
const mutate = (text, params, save) => ({ mutate: text, ...(params ? { params } : {}), ...(save ? { save } : {}) });
const query = (text, expect, params) => ({ query: text, ...(params ? { params } : {}), ...(expect !== undefined ? { expect } : {}) });
const runs = (text, params) => accepts('query', text, params);

const scalarModel = `{
    Person {
        name : String ,
        age : Integer,
        weight : Float,
        is_human : Boolean,
        some_nullable : String nullable,
    }
}`;
const john = { name: 'John', age: 100, weight: 42.2, is_human: true, some_nullable: null };
const systemSelection = 'id cdate mdate _entity _json _binary verifying_key _signature';

const familyModel = (ns) => `${ns}{
    Person {
        name : String ,
        parents : [${ns ? `${ns}.` : ''}Person] ,
        pet: ${ns ? `${ns}.` : ''}Pet ,
        siblings : [${ns ? `${ns}.` : ''}Person] ,
    }
    Pet {
        name : String
    }
}`;
const familyMutation = (entity) => `mutate {
    ${entity} {
        name : $name
        parents:  [
            {name : $mother}
            ,{
                name:$father
                pet:{ name:"kiki" }
            }
        ]
        pet: {name:$pet_name}
        siblings:[{name:"Wallis"},{ name : $sibling }]
    }
}`;
const familyParams = { name: 'John', mother: 'Hello', father: 'World', pet_name: 'Truffle', sibling: 'Futuna' };
const familyQuery = (entity) => `query {
    ${entity} (
            remps_pets != NULL,
            id != "zSRIyMbf70V999wyC0KlhQ",
            name = "John",
            order_by(name asc)
        ) {
        name
        parents (name="World") {
            name
        }
        pet {name}
        remps_pets : parents (pet != null) {
            name
            pet {name}
        }
    }
}`;
const familyResult = [{ name: 'John', parents: [{ name: 'World' }], pet: { name: 'Truffle' }, remps_pets: [{ name: 'World', pet: { name: 'kiki' } }] }];

const fivePeople = [
  ['John', 42],
  ['Silvie', 46],
  ['Kevin', 22],
  ['Sarah', 12],
  ['Leonore', 22],
].map(([name, age]) => mutate('mutate { ns.Person { name : $name age : $age } }', { name, age }));
const paging = (params, expected) => query(`query sample{ ns.Person ( ${params} ) { name age } }`, { 'ns.Person': expected });

const aggregateRows = [
  [24, 45, 'us'], [12, 23, 'us'], [45, 86, 'fr'], [34, 43, 'fr'], [54, 70, 'sa'], [67, 85, 'sa'], [72, 65, 'sa'],
  [24, 95, 'en'], [1, 52, 'en'], [45, 65, 'en'], [24, 75, 'en'],
];
const aggregateSelection = 'nat avg: avg(weight) count: count() max: max(weight) min: min(weight) sum: sum(weight)';
const groups = {
  us: { nat: 'us', avg: 34, count: 2, max: 45, min: 23, sum: 68 },
  fr: { nat: 'fr', avg: 64.5, count: 2, max: 86, min: 43, sum: 129 },
  en: { nat: 'en', avg: 71.75, count: 4, max: 95, min: 52, sum: 287 },
  sa: { nat: 'sa', avg: 220 / 3, count: 3, max: 85, min: 65, sum: 220 },
};

const commentModel = (options = '') => `ns {
    Person ${options}{
        name : String,
        comment : String,
    }
}`;
const threeComments = mutate(`mutate {
    P1: ns.Person { name:"John" comment:"Lorem ipsum sit doler et ames" }
    P2: ns.Person { name:"Alice" comment:"Lorem lorem ipsum " }
    P3: ns.Person { name:"Bob" comment:"A completely different comment" }
}`);

const parentsModel = (parentsNullable) => `ns {
    Person {
        name : String ,
        parents : [ns.Person] ${parentsNullable ? 'nullable' : ''},
        pet: ns.Pet ,
    }
    Pet {
        name : String
    }
}`;
const twoFamilies = (room) => mutate(`mutate {
    P1: ns.Person {${room ? '\n        room_id : $room_id' : ''}
        name : "John"
        parents:  [ {name : "John Mother"} ,{ name:"John Father" pet:{ name:"Kiki" }}]
        pet: { name:"Truffle"}
    }
    P2: ns.Person {${room ? '\n        room_id : $room_id' : ''}
        name : "Ada"
        parents:  [ {name : "Ada Mother" pet:{ name:"Lulu" }} ,{ name:"Ada Father" pet:{ name:"Waf" }}]
    }
}`, room ? { room_id: '@room' } : undefined);

// The user's own sys.Peer row (Discret writes it at start, signed by the user's key) stands in
// for the one upstream's test writes by hand: sys_peer joins on the author's verifying key.
const myPeer = query('query { me: sys.Peer { pub_key verifying_key } }');
const savePeer = { ...myPeer, save: { key: 'me.0.pub_key', me: 'me.0.verifying_key' } };
const peer = { pub_key: '@key' };

const docModel = `{
    Person {
        name: String,
        surname: String nullable,
        parents:[Person],
        pet: Pet,
    }
    Pet{
        name: String
    }
}`;

const cases = [
  c('simple_scalar', 'scalars written from parameters, read back twice', scalarModel, [
    mutate('mutate { Person { name : $name age: $age weight: $weight is_human : $human some_nullable : $null } }', {
      name: 'John', age: 100, weight: 42.2, human: true, null: null,
    }),
    query(`query sample{
    Person { name age weight is_human some_nullable }
    same_person: Person { name age weight is_human some_nullable }
}`, { Person: [john], same_person: [john] }),
    query(`query sample{
    Person (
        name = "John",
        age = 100,
        weight = 42.2,
        is_human = true,
        some_nullable = null
    ){ name age weight is_human some_nullable }
    same_person: Person { name age weight is_human some_nullable }
}`, { Person: [john], same_person: [john] }),
  ]),
  c('system', 'system fields in the projection and in filters (_entity, _json, _binary included)', '{ Person { name : String } }', [
    mutate('mutate { Person { name : "hello" } }'),
    runs(`query sample{ Person { ${systemSelection} } }`),
    runs(`query sample{
    Person (
        id != "ZXRzZXRzNDMx",
        cdate < 1234341,
        mdate > 12345,
        _entity ="0",
        _json="",
        _binary = "ZXRzZXRzNDMx",
        verifying_key <="ZXRzZXRzNDMx",
        verifying_key >= "ZXRzZXRzNDMx",
    ){ ${systemSelection} }
}`),
  ]),
  c('sub_system_entities', 'system fields of a nested entity', '{ Person { name : String, pet : Pet } Pet { name: String } }', [
    mutate('mutate { Person { name: "hello" pet: {name: "kitty"} } }'),
    runs(`query sample{ Person { ${systemSelection} name pet { ${systemSelection} name } } }`),
  ]),
  c('id', 'a query by id', '{ Person { name : String } }', [
    mutate('mutate { Person { name : "hello" } }', undefined, { id: 'Person.id' }),
    { query: 'query { Person { _entity } }', save: { entity: 'Person.0._entity' } },
    query('query sample{ Person(id=$id) { id name _entity } }', { Person: [{ id: '@id', name: 'hello', _entity: '@entity' }] }, { id: '@id' }),
  ]),
  c('entity', 'nested blocks with filters, a filter on a relation alias, != NULL', familyModel(''), [
    mutate(familyMutation('Person'), familyParams),
    query(familyQuery('Person'), { Person: familyResult }),
  ]),
  c('entity_namespace', 'the same in a namespace', familyModel('ns'), [
    mutate(familyMutation('ns.Person'), familyParams),
    query(familyQuery('ns.Person'), { 'ns.Person': familyResult }),
  ]),
  c('order_by_first_next_paging', 'order_by on two fields, first, skip, after and before with one or two values', `ns {
    Person {
        name : String,
        age : Integer,
    }
}`, [
    ...fivePeople,
    paging('order_by(age desc, name asc), first 3, skip 1', [{ name: 'John', age: 42 }, { name: 'Kevin', age: 22 }, { name: 'Leonore', age: 22 }]),
    paging('order_by(age desc, name asc), after(22)', [{ name: 'Sarah', age: 12 }]),
    paging('order_by(age desc, name asc), after (22,"Kevin")', [{ name: 'Leonore', age: 22 }, { name: 'Sarah', age: 12 }]),
    paging('order_by(age desc, name desc), after (22,"Leonore")', [{ name: 'Kevin', age: 22 }, { name: 'Sarah', age: 12 }]),
    paging('order_by(age desc, name desc), before (22,"Leonore")', [{ name: 'Silvie', age: 46 }, { name: 'John', age: 42 }]),
  ]),
  c('filter', 'filters with literals and with parameters (an integer parameter for a Float)', `ns{
    Person {
        name : String ,
        age : Integer,
        weight : Float,
        is_human : Boolean,
    }
}`, [
    mutate(`mutate {
    ns.Person { name : "John" age: 23 weight: 10 is_human : true }
    P1: ns.Person { name : "Doe" age: 32 weight: 12 is_human : true }
    P2: ns.Person { name : "Jean" age: 53 weight: 100 is_human : false }
}`),
    query('query sample{ ns.Person (name = "Jean", age < 100, weight >=100, is_human = false){ name age weight is_human } }', {
      'ns.Person': [{ name: 'Jean', age: 53, weight: 100, is_human: false }],
    }),
    query('query sample{ ns.Person (name = $name, age < $age, weight >= $we, is_human = $hum){ name age weight is_human } }', {
      'ns.Person': [{ name: 'Jean', age: 53, weight: 100, is_human: false }],
    }, { name: 'Jean', age: 100, we: 100.0, hum: false }),
  ]),
  c('positional_param', 'a parameter used twice, beside the literal it equals', `ns {
    Person {
        name : String ,
        surname : String,
        pseudo : String,
        is_human : Boolean,
    }
}`, [
    mutate('mutate { ns.Person { name : "John" surname : "John" pseudo : "John" is_human : true } }'),
    query('query sample{ ns.Person (name = $name, surname = "John", surname = $name, is_human = true){ name surname pseudo is_human } }', {
      'ns.Person': [{ name: 'John', surname: 'John', pseudo: 'John', is_human: true }],
    }, { name: 'John' }),
  ]),
  c('aggregate', 'grouped aggregates ordered by aggregate aliases, a filter on count, after over groups', `ns{
    Person {
        age : Integer,
        weight : Float,
        nat: String,
    }
}`, [
    mutate(`mutate {\n${aggregateRows.map(([age, weight, nat], i) => `    P${i + 1}: ns.Person { age:${age} weight:${weight} nat:"${nat}" }`).join('\n')}\n}`),
    query(`query sample{ ns.Person (order_by(avg asc, count asc, max asc,min asc,sum asc)) { ${aggregateSelection} } }`, {
      'ns.Person': [groups.us, groups.fr, groups.en, groups.sa],
    }),
    runs('query sample{ ns.Person (order_by(avg asc, count asc, max asc,min asc,sum asc)) { nat avg: avg(mdate) count: count() max: max(cdate) min: min(cdate) sum: sum(cdate) } }'),
    query(`query { ns.Person ( order_by(nat asc, count desc), count > 2, after("en", 3) ) { ${aggregateSelection} } }`, { 'ns.Person': [groups.sa] }),
  ]),
  c('search', 'search() finds a word', commentModel(), [
    threeComments,
    query('query sample{ ns.Person(search("ames")) { name comment } }', { 'ns.Person': [{ name: 'John', comment: 'Lorem ipsum sit doler et ames' }] }),
  ]),
  c('disable_search', 'search() on an entity without full text index finds nothing', commentModel('(no_full_text_index)'), [
    threeComments,
    query('query sample{ ns.Person(search("ames")) { name comment } }', { 'ns.Person': [] }),
  ]),
  c('default_value', 'defaults are read back, also for rows written before the field existed', `ns {
    Person {
        name : String,
        def : String default "Lorem ipsum",
    }
}`, [
    mutate('mutate { P2: ns.Person { name:"Alice"  } P3: ns.Person { name:"Bob" def:"A completely different" } }'),
    query('query sample{ ns.Person(order_by(name Asc)) { name def } }', {
      'ns.Person': [{ name: 'Alice', def: 'Lorem ipsum' }, { name: 'Bob', def: 'A completely different' }],
    }),
    { updateDataModel: `ns {
    Person {
        name : String,
        def : String default "Lorem ipsum",
        newdef : String default "sit met",
    }
}` },
    query('query sample{ ns.Person(order_by(name asc)) { name def newdef } }', {
      'ns.Person': [{ name: 'Alice', def: 'Lorem ipsum', newdef: 'sit met' }, { name: 'Bob', def: 'A completely different', newdef: 'sit met' }],
    }),
  ]),
  c('json', 'JSON selectors in the projection, in filters and in order_by (by alias)', `ns{
    Person {
        name : String,
        data : Json,
    }
}`, [
    mutate('mutate { P2: ns.Person { name:"Alice" data:"{\\"val\\":\\"hello json\\"}" } P3: ns.Person { name:"Bob" data:"[1,2,3,4]" } }'),
    query('query sample{ ns.Person (order_by(name asc)){ name data array: data->$.val } }', {
      'ns.Person': [{ name: 'Alice', data: { val: 'hello json' }, array: 'hello json' }, { name: 'Bob', data: [1, 2, 3, 4], array: null }],
    }),
    query('query sample{ ns.Person(order_by(name asc)) { name data array: data->1 } }', {
      'ns.Person': [{ name: 'Alice', data: { val: 'hello json' }, array: null }, { name: 'Bob', data: [1, 2, 3, 4], array: 2 }],
    }),
    query('query sample{ ns.Person (data->1 = 2, order_by(array asc)) { name data array: data->1 } }', {
      'ns.Person': [{ name: 'Bob', data: [1, 2, 3, 4], array: 2 }],
    }),
    query('query sample{ ns.Person (data->$.val = "hello json", order_by(array asc)) { name data array: data->$.val } }', {
      'ns.Person': [{ name: 'Alice', data: { val: 'hello json' }, array: 'hello json' }],
    }),
  ]),
  c('entity_not_null_selection', 'a parent without the selected relation is dropped', parentsModel(false), [
    twoFamilies(false),
    query(`query sample{
    ns.Person (order_by(name asc)) {
        name
        parents (order_by(name asc)){ name }
        pet {name}
        parents_pets : parents (order_by(name asc)) { name pet {name} }
    }
}`, { 'ns.Person': [{ name: 'John', parents: [{ name: 'John Father' }, { name: 'John Mother' }], pet: { name: 'Truffle' }, parents_pets: [{ name: 'John Father', pet: { name: 'Kiki' } }] }] }),
    query(`query sample{
    ns.Person (order_by(name asc)) {
        name
        parents (order_by(name asc)){ name }
        parents_pets : parents (order_by(name asc)) { name pet {name} }
    }
}`, {
      'ns.Person': [
        { name: 'Ada', parents: [{ name: 'Ada Father' }, { name: 'Ada Mother' }], parents_pets: [{ name: 'Ada Father', pet: { name: 'Waf' } }, { name: 'Ada Mother', pet: { name: 'Lulu' } }] },
        { name: 'John', parents: [{ name: 'John Father' }, { name: 'John Mother' }], parents_pets: [{ name: 'John Father', pet: { name: 'Kiki' } }] },
      ],
    }),
  ]),
  c('entity_nullable_selection', 'a relation nullable in the data model, and nullable(alias) in the query, keep parents without it', parentsModel(true), [
    twoFamilies(false),
    query('query sample{ ns.Person (order_by(name asc)) { name parents (order_by(name asc)) {name} } }', {
      'ns.Person': [
        { name: 'Ada', parents: [{ name: 'Ada Father' }, { name: 'Ada Mother' }] },
        { name: 'Ada Father', parents: [] },
        { name: 'Ada Mother', parents: [] },
        { name: 'John', parents: [{ name: 'John Father' }, { name: 'John Mother' }] },
        { name: 'John Father', parents: [] },
        { name: 'John Mother', parents: [] },
      ],
    }),
    query('query { ns.Person (order_by(name asc), nullable(has_pet) ) { name has_pet: pet {name} } }', {
      'ns.Person': [
        { name: 'Ada', has_pet: null },
        { name: 'Ada Father', has_pet: { name: 'Waf' } },
        { name: 'Ada Mother', has_pet: { name: 'Lulu' } },
        { name: 'John', has_pet: { name: 'Truffle' } },
        { name: 'John Father', has_pet: { name: 'Kiki' } },
        { name: 'John Mother', has_pet: null },
      ],
    }),
  ]),
  c('author_virtual_field', "sys_peer: the author's sys.Peer row, nested and with nullable(sys_peer)", parentsModel(false), [
    savePeer,
    twoFamilies(false),
    query(`query sample{
    ns.Person (order_by(name asc)) {
        name
        sys_peer{ pub_key }
        parents (order_by(name asc)) { name sys_peer{ pub_key } }
    }
}`, {
      'ns.Person': [
        { name: 'Ada', sys_peer: peer, parents: [{ name: 'Ada Father', sys_peer: peer }, { name: 'Ada Mother', sys_peer: peer }] },
        { name: 'John', sys_peer: peer, parents: [{ name: 'John Father', sys_peer: peer }, { name: 'John Mother', sys_peer: peer }] },
      ],
    }),
    query(`query sample{
    ns.Person (order_by(name asc),  nullable(sys_peer)) {
        name
        sys_peer (pub_key="cXNkcXNkcXM",){ pub_key }
        parents (order_by(name asc)) { name sys_peer{ pub_key } }
    }
}`, {
      'ns.Person': [
        { name: 'Ada', sys_peer: null, parents: [{ name: 'Ada Father', sys_peer: peer }, { name: 'Ada Mother', sys_peer: peer }] },
        { name: 'John', sys_peer: null, parents: [{ name: 'John Father', sys_peer: peer }, { name: 'John Mother', sys_peer: peer }] },
      ],
    }),
  ]),
  c('room_virtual_field', "sys_room: the entity's room, nested; a filter inside it drops the rows", parentsModel(false), [
    savePeer,
    // Upstream writes a bare room; here the room also gives its author the rights to write ns.Person and ns.Pet in it.
    mutate(`mutate { auth: sys.Room {
    admin: [{ verif_key: $me }]
    authorisations: [{
        name:"admin"
        rights: [{ entity: "ns.Person" mutate_self: true mutate_all: true }, { entity: "ns.Pet" mutate_self: true mutate_all: true }]
        users: [{ verif_key: $me }]
    }]
} }`, { me: '@me' }, { room: 'auth.id' }),
    twoFamilies(true),
    query(`query sample{
    ns.Person (order_by(name asc)) {
        sys_room { authorisations{ name } }
        name
        parents (order_by(name asc)) { sys_room { authorisations{ name } } name }
    }
}`, {
      'ns.Person': ['Ada', 'John'].map((name) => ({
        sys_room: { authorisations: [{ name: 'admin' }] },
        name,
        parents: [`${name} Father`, `${name} Mother`].map((parent) => ({ sys_room: { authorisations: [{ name: 'admin' }] }, name: parent })),
      })),
    }),
    query(`query sample{
    ns.Person (order_by(name asc)) {
        sys_room { authorisations (name="not"){ name } }
        name
        parents (order_by(name asc)) { sys_room { authorisations{ name } } name }
    }
}`, { 'ns.Person': [] }),
  ]),
  c('query_result', 'order_by(name ASC)', commentModel(), [
    threeComments,
    query('query sample{ ns.Person(order_by(name ASC)) { name } }', { 'ns.Person': [{ name: 'Alice' }, { name: 'Bob' }, { name: 'John' }] }),
  ]),
  c('query_with_null_default', 'a null sorts first; a nullable field later given a default reads the default', 'ns { Person { name : String nullable } }', [
    mutate('mutate { P3: ns.Person { name:"Bob"  } P1: ns.Person { } P2: ns.Person { name:"Alice"} }'),
    query('query sample{ ns.Person(order_by(name ASC)) { name } }', { 'ns.Person': [{ name: null }, { name: 'Alice' }, { name: 'Bob' }] }),
    { updateDataModel: `ns {
    Person {
        name : String default "anonymous",
        age : Integer default 10,
        weight : Float default 12.0,
        is_nice : Boolean default true
    }
}` },
    // Upstream reads `is_nice` as the integer 1; a Boolean here is always read as a boolean.
    query('query sample{ ns.Person(age >= 10, is_nice=true, weight > 2, name="anonymous") { name age weight is_nice } }', {
      'ns.Person': [{ name: 'anonymous', age: 10, weight: 12, is_nice: true }],
    }),
  ]),
  c('query_documentation_examples', 'the examples of the query documentation', docModel, [
    mutate(`mutate {
    Person {
        name : "Doe"
        surname: "John"
        parents:  [
            { name : "Coop" surname: "Alice" }
            ,{ name: "Doe" pet:{ name:"Kiki" } }
        ]
        pet: {name:"Truffle"}
    }
}`),
    query('query { result: Person { name surname } }', { result: [{ name: 'Doe', surname: 'John' }, { name: 'Coop', surname: 'Alice' }, { name: 'Doe', surname: null }] }),
    query('query { persons: Person { name surname } pets: Pet{ name } }', {
      persons: [{ name: 'Doe', surname: 'John' }, { name: 'Coop', surname: 'Alice' }, { name: 'Doe', surname: null }],
      pets: [{ name: 'Kiki' }, { name: 'Truffle' }],
    }),
    query('query { Person ( name="Doe" ) { name surname } }', { Person: [{ name: 'Doe', surname: 'John' }, { name: 'Doe', surname: null }] }),
    query('query { Person ( surname="John", name="Doe" ) { name surname } }', { Person: [{ name: 'Doe', surname: 'John' }] }),
    query('query { Person ( surname != null, name="Doe" ) { name surname } }', { Person: [{ name: 'Doe', surname: 'John' }] }),
    query('query { result: Person { name surname pet { name } } }', {
      result: [{ name: 'Doe', surname: 'John', pet: { name: 'Truffle' } }, { name: 'Doe', surname: null, pet: { name: 'Kiki' } }],
    }),
    query('query { Person { name surname parents (surname = null) { name pet (name = "Kiki"){ name } } pet { name } } }', {
      Person: [{ name: 'Doe', surname: 'John', parents: [{ name: 'Doe', pet: { name: 'Kiki' } }], pet: { name: 'Truffle' } }],
    }),
    query('query { Person( nullable (pet) ) { name surname pet { name } } }', {
      Person: [{ name: 'Doe', surname: 'John', pet: { name: 'Truffle' } }, { name: 'Coop', surname: 'Alice', pet: null }, { name: 'Doe', surname: null, pet: { name: 'Kiki' } }],
    }),
    query('query { Person( nullable (pet), pet = null ) { name surname pet { name } } }', { Person: [{ name: 'Coop', surname: 'Alice', pet: null }] }),
    query('query { Person( order_by(name desc, surname asc) ) { name surname } }', {
      Person: [{ name: 'Doe', surname: null }, { name: 'Doe', surname: 'John' }, { name: 'Coop', surname: 'Alice' }],
    }),
    query('query { Person( order_by(name desc, surname asc), first 2 ) { name surname } }', { Person: [{ name: 'Doe', surname: null }, { name: 'Doe', surname: 'John' }] }),
    query('query { Person( order_by(name desc, surname asc), skip 1, first 2 ) { name surname } }', {
      Person: [{ name: 'Doe', surname: 'John' }, { name: 'Coop', surname: 'Alice' }],
    }),
    query('query { Person( search("lic") ) { name surname } }', { Person: [{ name: 'Coop', surname: 'Alice' }] }),
    query('query { Person ( nullable(parents) ) { name parent_count: parents { total: count() } parents { name } } }', {
      Person: [
        { name: 'Doe', parent_count: [{ total: 2 }], parents: [{ name: 'Coop' }, { name: 'Doe' }] },
        { name: 'Coop', parent_count: [{ total: 0 }], parents: [] },
        { name: 'Doe', parent_count: [{ total: 0 }], parents: [] },
      ],
    }),
  ]),
  c('query_documentation_json_examples', 'a JSON selector in the projection', '{ Article { content: json } }', [
    mutate(`mutate {
    Article {
        content : "{
            \\"title\\": \\"lorem ipsum\\",
            \\"content\\": \\"Rerum earum culpa quis. Corporis unde aliquid.\\"
        }"
    }
}`),
    query('query sample{ Article{ title: content->$.title } }', { Article: [{ title: 'lorem ipsum' }] }),
  ]),
];

writeCases('upstream-query.json', cases);
