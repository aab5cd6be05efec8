/**
 * What a schedule id `<host>/<name>` may look like, defined once: by the definition schema's idPart
 * pattern, which REST paths, query parameters, tombstone keys and the OpenAPI document all use.
 */
import definitionSchema from '../../schemas/definition.schema.json';

/** The pattern of a host or a name, anchored: `^[A-Za-z0-9._:-]{1,255}$`. */
export const ID_PART_PATTERN: string = definitionSchema.definitions.idPart.pattern;

const ID_PART = new RegExp(ID_PART_PATTERN);
const UNANCHORED = ID_PART_PATTERN.slice(1, -1);
const SCHEDULE_ID = new RegExp(`^${UNANCHORED}/${UNANCHORED}$`);

/** How a host or name breaks the rule, for an error naming the field. */
export const ID_PART_RULE = 'must be 1-255 of letters, digits, . _ : -';

export function isIdPart(value: string): boolean {
  return ID_PART.test(value);
}

export function isScheduleId(value: string): boolean {
  return SCHEDULE_ID.test(value);
}
