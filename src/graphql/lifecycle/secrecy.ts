/** graphql-js's errors (no `path`) quoting an activation code, rewritten before Apollo formats, logs or traces them. */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

const FIELD = 'activationCodes';
const HIDDEN = '(the value is not shown: it is part of an activation code)';
const GENERIC = `The operation's activation codes are not valid here ${HIDDEN}.`;
const SYNTAX = `Syntax Error: the operation could not be parsed; the details are not shown because the operation holds activation codes.`;
/** The start of graphql-js's coercion message: the variable's name is an identifier, nothing from its value. */
const COERCION = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" got invalid value /;
/** graphql-js's `at "<path>"; ` (identifiers and indexes only); the last one ends the quoted value. */
const AT_PATH = / at "((?:[_A-Za-z][_0-9A-Za-z]*|\[\d+\])(?:\.[_A-Za-z][_0-9A-Za-z]*|\[\d+\])*)"; /g;

/** Every string and number under an `activationCodes` key of `value` (anywhere with `inCodes`); iterative, for any depth. */
function collectCodes(value: unknown, into: Set<string>, inCodes: boolean): void {
  const pending: Array<{ value: unknown; inCodes: boolean }> = [{ value, inCodes }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const item = next.value;
    if (typeof item === 'string' || typeof item === 'number') {
      if (next.inCodes && item !== '') into.add(String(item));
    } else if (typeof item === 'object' && item !== null) {
      // An array's entries too: their keys are indexes, never FIELD.
      for (const [key, child] of Object.entries(item)) pending.push({ value: child, inCodes: next.inCodes || key === FIELD });
    }
  }
}

/** The literal values written under `activationCodes:` in the document, and the variables used there. */
function collectFromDocument(document: DocumentNode, variables: Readonly<Record<string, unknown>>, into: Set<string>): void {
  visit(document, {
    ObjectField(field) {
      if (field.name.value !== FIELD) return undefined;
      visit(field.value, {
        enter(node) {
          if (node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT || node.kind === Kind.ENUM) into.add(node.value);
          else if (node.kind === Kind.VARIABLE) collectCodes(variables[node.name.value], into, true);
        },
      });
      return false; // its values are collected: skip them
    },
  });
}

/** Whether `message` quotes a secret, as it is or with JSON escapes (graphql-js prints strings with `inspect`). */
const quotes = (message: string, secrets: ReadonlySet<string>): boolean =>
  [...secrets].some((secret) => message.includes(secret) || message.includes(JSON.stringify(secret).slice(1, -1)));

/** The message without any code value: the variable and path of a coercion error, and its reason when clean. */
function withoutCodes(message: string, secrets: ReadonlySet<string>): string {
  const coercion = COERCION.exec(message);
  if (coercion === null) return GENERIC;
  const last = [...message.matchAll(AT_PATH)].at(-1);
  const at = last ? ` at "${last[1]}"` : '';
  const reason = last ? message.slice((last.index ?? 0) + last[0].length) : '';
  const shownReason = reason.length > 0 && !quotes(reason, secrets) ? ` ${reason}` : '';
  const rewritten = `Variable "$${coercion[1]}" got an invalid value${at} ${HIDDEN}.${shownReason}`;
  return quotes(rewritten, secrets) ? GENERIC : rewritten;
}

function scrub(error: GraphQLError, message: string): void {
  error.message = message;
  // Apollo's UserInputError wraps graphql-js's error, which formatError may look at: the same text for both.
  if (error.originalError instanceof GraphQLError) error.originalError.message = message;
}

async function didEncounterErrors(requestContext: GraphQLRequestContext<BaseContext>): Promise<void> {
  const { errors, request, document, source } = requestContext;
  const unplaced = (errors ?? []).filter((error) => error.path === undefined);
  if (unplaced.length === 0) return;
  const variables = request.variables ?? {};
  if (document === undefined) {
    // Not parsed: no code told apart, so a syntax error (it quotes a token) in a document naming the field is hidden.
    if ((source ?? request.query ?? '').includes(FIELD)) {
      for (const error of unplaced) if (error.message.startsWith('Syntax Error')) scrub(error, SYNTAX);
    }
    return;
  }
  const secrets = new Set<string>();
  collectCodes(variables, secrets, false);
  collectFromDocument(document, variables, secrets);
  for (const error of unplaced) if (quotes(error.message, secrets)) scrub(error, withoutCodes(error.message, secrets));
}

/** The plugin (one listener object for every request: nothing is allocated unless a request has errors). */
export function activationCodeSecrecy(): ApolloServerPlugin<BaseContext> {
  const listener: GraphQLRequestListener<BaseContext> = { didEncounterErrors };
  return { requestDidStart: () => Promise.resolve(listener) };
}
