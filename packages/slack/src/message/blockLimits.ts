import type { Block, Button, ConfirmDialog, SlackMessage, TextObject } from './blockKit';

/** Slack's documented Block Kit limits for what Tourniquet sends (characters, counts). */
export const BLOCK_LIMITS = {
  blocksPerMessage: 50,
  messageText: 4000,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

/**
 * Checks a message against the limits; returns one problem per violation (empty: valid). Slack
 * answers `invalid_blocks` for these, and the simulator applies the same check.
 */
export function blockLimitProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  const check = (path: string, length: number, max: number) => {
    if (length > max) problems.push(`${path}: ${length} > ${max}`);
  };
  const text = (path: string, object: TextObject | undefined, max: number) => {
    if (!object) return;
    if (object.text.length === 0) problems.push(`${path}: empty text`);
    check(path, object.text.length, max);
  };
  check('text', message.text.length, BLOCK_LIMITS.messageText);
  check('blocks', message.blocks.length, BLOCK_LIMITS.blocksPerMessage);
  message.blocks.forEach((block: Block, i) => {
    const at = `blocks.${i}`;
    if (block.block_id !== undefined)
      check(`${at}.block_id`, block.block_id.length, BLOCK_LIMITS.blockId);
    switch (block.type) {
      case 'header':
        if (block.text.type !== 'plain_text') problems.push(`${at}.text: header needs plain_text`);
        text(`${at}.text`, block.text, BLOCK_LIMITS.headerText);
        break;
      case 'section':
        if (!block.text && !block.fields?.length)
          problems.push(`${at}: section needs text or fields`);
        text(`${at}.text`, block.text, BLOCK_LIMITS.sectionText);
        check(`${at}.fields`, block.fields?.length ?? 0, BLOCK_LIMITS.sectionFields);
        for (const [j, f] of (block.fields ?? []).entries()) {
          text(`${at}.fields.${j}`, f, BLOCK_LIMITS.fieldText);
        }
        break;
      case 'context':
        check(`${at}.elements`, block.elements.length, BLOCK_LIMITS.contextElements);
        for (const [j, e] of block.elements.entries()) {
          text(`${at}.elements.${j}`, e, BLOCK_LIMITS.contextText);
        }
        break;
      case 'actions':
        check(`${at}.elements`, block.elements.length, BLOCK_LIMITS.actionsElements);
        for (const [j, b] of block.elements.entries()) {
          problems.push(...buttonProblems(`${at}.elements.${j}`, b));
        }
        break;
      case 'divider':
        break;
    }
  });
  return problems;
}

function buttonProblems(at: string, button: Button): string[] {
  const problems: string[] = [];
  const check = (path: string, length: number, max: number) => {
    if (length > max) problems.push(`${path}: ${length} > ${max}`);
  };
  check(`${at}.text`, button.text.text.length, BLOCK_LIMITS.buttonText);
  check(`${at}.value`, button.value.length, BLOCK_LIMITS.buttonValue);
  check(`${at}.action_id`, button.action_id.length, BLOCK_LIMITS.actionId);
  if (button.confirm) problems.push(...confirmProblems(`${at}.confirm`, button.confirm));
  return problems;
}

function confirmProblems(at: string, confirm: ConfirmDialog): string[] {
  const out: string[] = [];
  const pairs: Array<[string, number, number]> = [
    [`${at}.title`, confirm.title.text.length, BLOCK_LIMITS.confirmTitle],
    [`${at}.text`, confirm.text.text.length, BLOCK_LIMITS.confirmText],
    [`${at}.confirm`, confirm.confirm.text.length, BLOCK_LIMITS.confirmButton],
    [`${at}.deny`, confirm.deny.text.length, BLOCK_LIMITS.confirmButton],
  ];
  for (const [path, length, max] of pairs)
    if (length > max) out.push(`${path}: ${length} > ${max}`);
  return out;
}
