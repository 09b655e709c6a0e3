/* SPDX-License-Identifier: BSD-2-Clause */
/* Coloured guest RAM (hyp_vm_add_ram_coloured()), apart from vm.c so that
 * images without it link no colour code. */
#include <hyp/colour.h>
#include <hyp/error.h>
#include <hyp/vm.h>

static bool coloured_pa(const struct hyp_vm_ram *r, uint64_t off, uint64_t size,
                        uint64_t *pa)
{
    if (off == r->size || size > hyp_colour_run(r->colour, off))
        return false;
    *pa = hyp_colour_pa(r->colour, off);
    return true;
}

int hyp_vm_add_ram_coloured(struct hyp_vm *vm, uint64_t ipa,
                            const struct hyp_colour_layout *layout)
{
    if (layout == NULL || layout->count == 0 || layout->size == 0)
        return HYP_EINVAL;
    if (vm->ram_count == HYP_VM_MAX_RAM)
        return HYP_ENOMEM;
    for (uint64_t off = 0; off < layout->size;) {
        uint64_t run = hyp_colour_run(layout, off);
        int rc = hyp_pgtable_map(&vm->s2, hyp_ia(ipa + off), run,
                                 hyp_pa(hyp_colour_pa(layout, off)), HYP_PROT_RWX);

        if (rc != HYP_OK)
            return rc;
        off += run;
    }
    vm->coloured_pa = coloured_pa;
    vm->ram[vm->ram_count++] = (struct hyp_vm_ram){
        .ipa = ipa, .pa = layout->base, .size = layout->size, .colour = layout};
    return HYP_OK;
}
