import { required, type Command } from '../command.js';

export const policyPreviewCommand: Command = {
  name: 'policy preview',
  usage: '<user-or-mac> --nas <ip>',
  summary: 'Print exactly the attributes an Access-Accept would carry for this user or device through this NAS, or why it would be refused.',
  options: { nas: { type: 'string' } },
  positionals: 1,
  async run({ services, principal }, input) {
    const preview = await services.policies.preview(principal, input.positionals[0]!, required(input, 'nas'));
    const head = `${preview.decision === 'accept' ? 'Access-Accept' : 'Access-Reject'} for ${preview.subject} (${preview.role}) through ${preview.nas} (${preview.vendor}):`;
    return { json: preview, text: [head, ...preview.attributes.map((line) => `  ${line.name} = ${line.value}`)].join('\n') };
  },
};
