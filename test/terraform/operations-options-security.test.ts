/** docs/operations-options.md: the table's rows of the security options, planned by real Terraform (./option-switches.ts). */
import { describeOptionSwitches } from "./option-switches";

describeOptionSwitches("security");
