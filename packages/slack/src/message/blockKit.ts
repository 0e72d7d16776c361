/** The few Block Kit shapes Tourniquet sends (https://docs.slack.dev/reference/block-kit). */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface ConfirmDialog {
  title: PlainText;
  text: TextObject;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

export type Block =
  | { type: 'header'; block_id?: string; text: PlainText }
  | { type: 'section'; block_id?: string; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; block_id?: string; elements: TextObject[] }
  | { type: 'divider'; block_id?: string }
  | { type: 'actions'; block_id?: string; elements: Button[] };

/** What chat.postMessage / chat.update get: the blocks and the notification fallback text. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export const plain = (text: string): PlainText => ({ type: 'plain_text', text, emoji: true });
export const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text });
