/** Mask rules, pure: record-view masks on the server, the builder previews in the browser. */
export {
  CUSTOM_MASK_LIMITS,
  FULL_MASK,
  MASK_CHAR_PATTERN,
  MASK_RULES,
  effectiveMaskRule,
  graphemes,
  isCustomMask,
  isMaskRule,
  isMaskSpec,
  maskValue,
  type AppliedMask,
  type CustomMask,
  type MaskRule,
  type MaskSpec,
} from './rules';
