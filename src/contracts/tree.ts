// Contract 4 (shared/GUIDE.md): a forecast tree, one per line of trees.jsonl.
import { z } from 'zod';

export const MATCH_KINDS = ['exact', 'semantic', 'llm', 'none'] as const;

export const NodeMatchSchema = z.object({
  kind: z.enum(MATCH_KINDS),
  score: z.number().optional(),
  actual: z.string().optional().describe('The actual event this prediction was compared with.'),
});

export interface ForecastNode {
  event: string;
  probability: number;
  depth: number;
  actual?: boolean;
  match?: z.infer<typeof NodeMatchSchema>;
  children: ForecastNode[];
}

export const ForecastNodeSchema: z.ZodType<ForecastNode> = z
  .object({
    event: z.string(),
    probability: z.number().min(0).max(1),
    depth: z.int().min(1),
    actual: z.boolean().optional(),
    match: NodeMatchSchema.optional(),
    get children(): z.ZodArray<z.ZodType<ForecastNode>> {
      return z.array(ForecastNodeSchema);
    },
  })
  .meta({ id: 'ForecastNode' });

export const ForecastTreeSchema = z.object({
  seed: z.object({ event: z.string().min(1), date: z.string() }),
  model: z.string(),
  createdAt: z.string(),
  children: z.array(ForecastNodeSchema),
});

export type MatchKind = (typeof MATCH_KINDS)[number];
export type NodeMatch = z.infer<typeof NodeMatchSchema>;
export type ForecastTree = z.infer<typeof ForecastTreeSchema>;
