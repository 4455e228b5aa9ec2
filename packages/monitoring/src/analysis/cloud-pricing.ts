/** A cloud provider whose MySQL list prices are built in. */
export type CloudProvider = 'aws-rds' | 'gcp-cloud-sql' | 'azure-mysql';

/** Unit prices (USD) for the three cost drivers of a queue database. */
export interface CloudPricing {
  /** Storage, per GB-month. */
  storagePerGbMonth: number;
  /** Provisioned IOPS, per IOPS-month (0 where IOPS come with the storage). */
  iopsPerIopsMonth: number;
  /** Internet egress, per GB. */
  egressPerGb: number;
}

/**
 * Approximate public list prices (USD, us-east / us-central regions, single-AZ) as data, so estimates are
 * reproducible and easy to update. They are a starting point only: pass `pricing` to
 * `estimateOperationalCost` with your negotiated rates.
 *
 * - `aws-rds`: gp3/io1-style storage $0.115/GB-month, provisioned IOPS $0.10/IOPS-month, egress $0.09/GB.
 * - `gcp-cloud-sql`: SSD storage $0.17/GB-month, IOPS included with storage, egress $0.12/GB.
 * - `azure-mysql`: Flexible Server storage $0.115/GB-month, additional IOPS $0.05/IOPS-month, egress $0.087/GB.
 */
export const CLOUD_PRICING: Readonly<Record<CloudProvider, Readonly<CloudPricing>>> = Object.freeze({
  'aws-rds': Object.freeze({ storagePerGbMonth: 0.115, iopsPerIopsMonth: 0.1, egressPerGb: 0.09 }),
  'gcp-cloud-sql': Object.freeze({ storagePerGbMonth: 0.17, iopsPerIopsMonth: 0, egressPerGb: 0.12 }),
  'azure-mysql': Object.freeze({ storagePerGbMonth: 0.115, iopsPerIopsMonth: 0.05, egressPerGb: 0.087 }),
});

/** The providers in {@link CLOUD_PRICING}. */
export const CLOUD_PROVIDERS = Object.keys(CLOUD_PRICING) as CloudProvider[];
