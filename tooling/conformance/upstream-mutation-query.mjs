// Ports upstream's tests in src/database/mutation_query.rs. Upstream inspects its internal
// mutation plan (counts of edges and nodes); here the same facts are read back by queries.
// Upstream's `assert_ne!` on modification dates cannot be written as an expected value; the
// cases assert every `assert_eq!` (unchanged ids and dates) and the new values.
// Run: node tooling/conformance/upstream-mutation-query.mjs
import { upstreamCase, writeCases } from './cases.mjs';

const file = 'mutation_query';
const c = (fn, what, model, steps) => upstreamCase(file, fn, what, model, steps);
const mutate = (text, params, save) => ({ mutate: text, ...(params ? { params } : {}), ...(save ? { save } : {}) });
const query = (text, expect, params, save) => ({ query: text, ...(params ? { params } : {}), ...(expect ? { expect } : {}), ...(save ? { save } : {}) });

const shelterModel = `{
    Person {
        name : String ,
        pet: [Pet] ,
    }
    Pet {
        name : String,
        age: Integer,
        shelter : Shelter,
        previous: [Shelter]
    }
    Shelter{
        name : String,
    }
}`;
const ids = { person_id: '@person', pet_id: '@pet' };

const cases = [
  c('prepare_simple_scalar', 'scalars from parameters; a missing field with a default reads the default', `ns {
    Person {
        name : String ,
        age : Integer,
        weight : Float,
        is_human : Boolean,
        some_nullable : String nullable,
        some_default : Integer default 2
    }
}`, [
    mutate('mutate { ns.Person { name : $name age: $age weight: $weight is_human : $human some_nullable : $null } }', { name: 'John', age: 100, weight: 42.2, human: true, null: null }),
    query('query { ns.Person { name age weight is_human some_nullable some_default } }', {
      'ns.Person': [{ name: 'John', age: 100, weight: 42.2, is_human: true, some_nullable: null, some_default: 2 }],
    }),
  ]),
  c('prepare_double_mutation', 'two entities in one mutation', '{ Person { name : String , } }', [
    mutate('mutate { Person { name : $name } second : Person { name : $name } }', { name: 'John' }),
    query('query { Person { name } }', { Person: [{ name: 'John' }, { name: 'John' }] }),
  ]),
  c('prepare_double_mutation_namespace', 'two entities of a namespace in one mutation', 'ns { Person { name : String , } }', [
    mutate('mutate { ns.Person { name : $name } second : ns.Person { name : $name } }', { name: 'John' }),
    query('query { ns.Person { name } }', { 'ns.Person': [{ name: 'John' }, { name: 'John' }] }),
  ]),
  c('prepare_sub_entities', 'nested inserts: five links, three sub-entities of the top entity', `{
    Person {
        name : String ,
        parents : [Person] ,
        pet: Pet ,
        siblings : [Person]
    }
    Pet {
        name : String
    }
}`, [
    mutate(`mutate {
    Person {
        name : $name
        parents : [
            {name : $mother}
            ,{
                name:$father
                pet:{ name:"kiki" }
            }
        ]
        pet: {name:$pet_name}
        siblings:[{name:"Wallis"},{ name : $sibling }]
    }
}`, { name: 'John', mother: 'Hello', father: 'World', pet_name: 'Truffle', sibling: 'Futuna' }),
    query('query { Person(name = "John", nullable(parents, pet, siblings)) { parents(order_by(name asc)) { name } pet { name } siblings(order_by(name asc)) { name } } }', {
      Person: [{ parents: [{ name: 'Hello' }, { name: 'World' }], pet: { name: 'Truffle' }, siblings: [{ name: 'Futuna' }, { name: 'Wallis' }] }],
    }),
    query('query { p: Person { n: count() } q: Pet { n: count() } }', { p: [{ n: 5 }], q: [{ n: 2 }] }),
  ]),
  c('update_sub_entity', 'an entity of a list relation updated through its parent', `{
    Person {
        name : String ,
        pet: [Pet] ,
    }
    Pet {
        name : String,
        age: Integer
    }
}`, [
    mutate('mutate { Person { name : "Me" pet: [ {name:"kiki" age:12} ] } }', undefined, { person: 'Person.id', pet: 'Person.pet.0.id' }),
    mutate('mutate { Person { id:$person_id pet: [ { id:$pet_id name:"koko" } ] } }', ids),
    query('query sample{ Person ( name = "Me", ) { name pet {name age} } }', { Person: [{ name: 'Me', pet: [{ name: 'koko', age: 12 }] }] }),
  ]),
  c('modication_dates_for_edge_update', 'updates deep in a tree keep the ids and dates of what they do not change', shelterModel, [
    mutate(`mutate {
    Person {
        name : "Me"
        pet: [
            {
                name:"kiki"
                age:12
                shelter:{ name: "one" }
                previous:[{ name: "two" }]
            }
        ]
    }
}`),
    query('query { person : Person { id mdate name pet { id mdate name shelter { id mdate name } previous { id mdate name } } } }', undefined, undefined, {
      person: 'person.0.id', personDate: 'person.0.mdate', pet: 'person.0.pet.0.id', petDate: 'person.0.pet.0.mdate',
      shelter: 'person.0.pet.0.shelter.id', two: 'person.0.pet.0.previous.0.id', twoDate: 'person.0.pet.0.previous.0.mdate',
    }),
    // The shelter is renamed: only the shelter changes.
    mutate('mutate { Person { id:$person_id pet: [ { id:$pet_id shelter: { id:$shelter_id name: "a better name" } } ] } }', { ...ids, shelter_id: '@shelter' }),
    query('query { person : Person { id mdate name pet { id mdate name shelter { id name } previous { id mdate name } } } }', {
      person: [{
        id: '@person', mdate: '@personDate', name: 'Me',
        pet: [{ id: '@pet', mdate: '@petDate', name: 'kiki', shelter: { id: '@shelter', name: 'a better name' }, previous: [{ id: '@two', mdate: '@twoDate', name: 'two' }] }],
      }],
    }),
    // A new shelter replaces the old one (upstream: the pet's date changes, a new shelter id).
    mutate('mutate { Person { id:$person_id pet: [ { id:$pet_id shelter: { name: "a new shelter" } } ] } }', ids),
    query('query { person : Person { id mdate pet { id shelter { name } previous { id mdate name } } } }', {
      person: [{ id: '@person', mdate: '@personDate', pet: [{ id: '@pet', shelter: { name: 'a new shelter' }, previous: [{ id: '@two', mdate: '@twoDate', name: 'two' }] }] }],
    }),
    // A list relation is added to: two previous shelters.
    mutate('mutate { Person { id:$person_id pet: [ { id:$pet_id previous: [{ name: "a old shelter" }] } ] } }', ids),
    query('query { person : Person { id mdate pet { id shelter { name } previous(order_by(name asc)) { name } } } }', {
      person: [{ id: '@person', mdate: '@personDate', pet: [{ id: '@pet', shelter: { name: 'a new shelter' }, previous: [{ name: 'a old shelter' }, { name: 'two' }] }] }],
    }),
  ]),
  c('mutation_documentation_examples', 'the examples of the mutation documentation', `{
    Person {
        name: String,
        surname: String nullable,
        parents:[Person]
    }
}`, [
    mutate('mutate { Person { name : "Doe" surname: "John" } }'),
    mutate('mutate { p1: Person { name : "Doe" surname: "John" } p2: Person { name : "Alice" } last: Person { name : "Bob" } }'),
    mutate('mutate { result: Person { name : "Doe" surname: "John" parents: [ { name : "Alice" },{ name : "Bob" } ] } }', undefined, { id: 'result.id' }),
    query('query { Person (id=$id)  { name parents(order_by(name asc)) { name } } }', { Person: [{ name: 'Doe', parents: [{ name: 'Alice' }, { name: 'Bob' }] }] }, { id: '@id' }),
    mutate('mutate { Person { id : $id parents: null } }', { id: '@id' }),
    query('query { Person (id=$id, nullable(parents) )  { name parents { name } } }', { Person: [{ name: 'Doe', parents: [] }] }, { id: '@id' }),
    query('query { n: Person { n: count() } }', { n: [{ n: 7 }] }),
  ]),
];

// tests/mutations.rs (upstream's integration tests through its public API).
cases.push(upstreamCase('tests/mutations.rs', 'minimal', 'the smallest app: write a greeting, read it back by id', '{ Greetings{ message:String } }', [
  mutate('mutate { result: Greetings{ message: "Hello World" } }', undefined, { id: 'result.id' }),
  query('query { Greetings(id=$id){ message } }', { Greetings: [{ message: 'Hello World' }] }, { id: '@id' }),
]));

writeCases('upstream-mutation-query.json', cases);
