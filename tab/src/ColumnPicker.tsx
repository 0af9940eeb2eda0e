/**
 * Chooses the dashboard's data-point columns. A menu of checkboxes: keyboard and screen readers
 * get the menu pattern for free, and each choice applies (and is saved) at once.
 */
import {
  Button,
  Menu,
  MenuDivider,
  MenuItem,
  MenuItemCheckbox,
  MenuList,
  MenuPopover,
  MenuTrigger,
} from '@fluentui/react-components';
import type { MenuProps } from '@fluentui/react-components';
import { ArrowResetRegular, ColumnTripleEditRegular } from '@fluentui/react-icons';
import type { DashboardColumn } from '../../src/hub/api-types.js';
import { columnDefs, dataColumns, defaultColumns, normalizeColumns } from './dashboard-model.js';

export interface ColumnPickerProps {
  readonly columns: readonly DashboardColumn[];
  readonly onChange: (columns: DashboardColumn[]) => void;
}

export function ColumnPicker({ columns, onChange }: ColumnPickerProps) {
  const onCheckedValueChange: MenuProps['onCheckedValueChange'] = (_, data) => {
    if (data.name === 'columns') onChange(normalizeColumns(data.checkedItems));
  };
  return (
    <Menu
      checkedValues={{ columns: [...columns] }}
      onCheckedValueChange={onCheckedValueChange}
      persistOnItemClick
    >
      <MenuTrigger disableButtonEnhancement>
        <Button icon={<ColumnTripleEditRegular />} appearance="subtle">
          Columns
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList aria-label="Data points to show">
          {dataColumns.map((c) => (
            <MenuItemCheckbox key={c} name="columns" value={c}>
              {columnDefs[c].description}
            </MenuItemCheckbox>
          ))}
          <MenuDivider />
          <MenuItem icon={<ArrowResetRegular />} onClick={() => onChange([...defaultColumns])}>
            Reset to default columns
          </MenuItem>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
