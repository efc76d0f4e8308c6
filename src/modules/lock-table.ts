import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Token } from "cdktf";
import { Construct } from "constructs";

/** The hash key the S3 backend writes its locks under; Terraform fixes the name. */
export const LOCK_TABLE_HASH_KEY = "LockID";

export interface LockTableProps {
  /** Table name, as `backend.tf.json` names it (`dynamodb_table`). */
  readonly tableName: string;
  /**
   * Refuse `DeleteTable` in AWS. Off by default: the table holds only locks and
   * digests, and goes away when the backend moves to S3's native lock file.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * DynamoDB point-in-time recovery: the table can be restored to any second of the last 35 days.
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
}

/** DynamoDB table names: 3 to 255 letters, digits, `_`, `-` and `.`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * The DynamoDB table the S3 backend locks state with, on demand (a handful of
 * requests per Terraform run) with the `LockID` string hash key Terraform expects.
 */
export class LockTable extends Construct {
  public readonly tableName: string;
  public readonly tableArn: string;

  constructor(scope: Construct, id: string, props: LockTableProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.tableName) && !TABLE_NAME.test(props.tableName)) {
      throw new Error(
        `tableName: ${JSON.stringify(props.tableName)} is not a valid DynamoDB table name; use 3 to 255 letters, digits, ` +
          "_, - and . (terraform.backend.s3.dynamodb_table in backend.tf.json).",
      );
    }
    const table = new DynamodbTable(this, "Default", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: LOCK_TABLE_HASH_KEY,
      attribute: [{ name: LOCK_TABLE_HASH_KEY, type: "S" }],
      deletionProtectionEnabled: props.deletionProtection ?? false,
      pointInTimeRecovery: { enabled: props.pointInTimeRecovery ?? true },
    });
    this.tableName = table.name;
    this.tableArn = table.arn;
  }
}
