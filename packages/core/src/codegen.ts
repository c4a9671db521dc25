import { DataModel, generateTypeScript, splitNamedQueries } from '@discret/lang';
import { SYSTEM_DATA_MODEL } from '@discret/rooms';
import { DiscretError } from './errors.js';

let system: DataModel | undefined;

/**
 * TypeScript for an app: an interface per entity of `dataModel`, and for each named query of
 * each `.dq` text (`query Name { ... }`) a constant `Name` typed `TypedQuery<NameResult>`, so
 * `app.query(Name)` returns exactly its result's shape. Queries may read `sys` entities too.
 * A language error is a DiscretError with `line` and `column` in the model's text or, with
 * `source` set to the index of the query text, in that text.
 */
export function generateTypes(dataModel: string, queryTexts: readonly string[] = [], options: { importFrom?: string } = {}): string {
  system ??= DataModel.parse(SYSTEM_DATA_MODEL, { builtin: true });
  let model: DataModel;
  try {
    model = DataModel.parse(dataModel, { builtins: system });
  } catch (error) {
    throw DiscretError.from(error);
  }
  const queries = queryTexts.map((text, source) => {
    try {
      const named = splitNamedQueries(text);
      // validated one file at a time, so an error names its file
      generateTypeScript(model, named);
      return named;
    } catch (error) {
      throw Object.assign(DiscretError.from(error), { source });
    }
  });
  return generateTypeScript(model, queries.flat(), options);
}
