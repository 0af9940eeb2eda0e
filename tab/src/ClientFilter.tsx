/** The "Filter by client" list of the dashboard and of My User Tasks: all clients, or one. */
import { Dropdown, Option } from '@fluentui/react-components';
import type { ClientId } from '../../src/domain/ids.js';

export interface ClientFilterProps {
  readonly clients: readonly { readonly id: ClientId; readonly name: string }[];
  /** The chosen client; null for all. */
  readonly value: ClientId | null;
  readonly onChange: (clientId: ClientId | null) => void;
  readonly className?: string;
}

/** A dropdown of "All clients" and each client by name. */
export function ClientFilter({ clients, value, onChange, className }: ClientFilterProps) {
  return (
    <Dropdown
      className={className}
      aria-label="Filter by client"
      value={clients.find((c) => c.id === value)?.name ?? 'All clients'}
      selectedOptions={[value ?? '']}
      onOptionSelect={(_, d) => onChange(d.optionValue ? (d.optionValue as ClientId) : null)}
    >
      <Option value="">All clients</Option>
      {clients.map((c) => (
        <Option key={c.id} value={c.id}>
          {c.name}
        </Option>
      ))}
    </Dropdown>
  );
}
